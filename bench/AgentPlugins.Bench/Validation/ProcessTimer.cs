using System.Diagnostics;

namespace AgentPlugins.Bench.Validation;

/// <summary>Runs a process to its end and measures its wall time, start-up included.</summary>
internal static class ProcessTimer
{
    // GNU time reports the CPU a process used (user + system), which a busy machine distorts less than wall time.
    private const string GnuTime = "/usr/bin/time";

    /// <param name="Elapsed">Wall time, start-up included.</param>
    /// <param name="Cpu">User + system CPU of the process, when GNU time is installed.</param>
    /// <param name="ExitCode">The process's exit code.</param>
    /// <param name="Output">What it printed, standard output then standard error.</param>
    public sealed record Run(TimeSpan Elapsed, TimeSpan? Cpu, int ExitCode, string Output);

    public static async Task<Run> RunAsync(string executable, string workingDirectory, IEnumerable<string> arguments, CancellationToken cancellationToken, bool measureCpu = false)
    {
        var cpuFile = measureCpu && File.Exists(GnuTime) ? Path.GetTempFileName() : null;
        var start = new ProcessStartInfo(cpuFile is null ? executable : GnuTime)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (cpuFile is not null)
        {
            foreach (var argument in new[] { "-f", "%U %S", "-o", cpuFile, executable })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        watch.Stop();
        return new Run(watch.Elapsed, cpuFile is null ? null : ReadCpu(cpuFile), process.ExitCode, await output + await errors);
    }

    private static TimeSpan ReadCpu(string file)
    {
        var parts = File.ReadAllText(file).Trim().Split(' ');
        File.Delete(file);
        return TimeSpan.FromSeconds(parts.Sum(part => double.Parse(part, System.Globalization.CultureInfo.InvariantCulture)));
    }

    public static TimeSpan Median(IEnumerable<TimeSpan> times)
    {
        var sorted = times.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
