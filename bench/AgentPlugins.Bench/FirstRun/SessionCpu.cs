using System.Diagnostics;
using System.Globalization;

namespace AgentPlugins.Bench.FirstRun;

/// <summary>
/// Runs a build in a session of its own and adds up the CPU (user + system) of every process in that
/// session, sampled from /proc every 200 ms. GNU time cannot: MSBuild's worker nodes, and the compilers
/// and crossgen2 they start, are not all reaped by the process GNU time waits for, so their CPU never
/// reaches it (measured: a cold `make host` with crossgen2 read 14 s where crossgen2 alone takes 35 s).
/// A process that starts and ends between two samples is missed; builds' processes live seconds.
/// Processes that leave the session (a background publish started with setsid) are not counted.
/// </summary>
internal static class SessionCpu
{
    private static readonly TimeSpan Sampling = TimeSpan.FromMilliseconds(200);

    // Linux reports process times in clock ticks of 1/100 s (USER_HZ) on every architecture .NET runs on.
    private const double TicksPerSecond = 100;

    public sealed record Run(TimeSpan Elapsed, TimeSpan Cpu, int ExitCode, string Output);

    public static async Task<Run> RunAsync(string executable, string workingDirectory, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(executable);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;

        // setsid runs the program as the leader of a new session when it is not a group leader itself (it
        // never is, started from here), so the session id is the process id.
        var session = process.Id.ToString(CultureInfo.InvariantCulture);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        var ticks = new Dictionary<int, long>();
        var exited = process.WaitForExitAsync(cancellationToken);
        while (!exited.IsCompleted)
        {
            Sample(session, ticks);
            await Task.WhenAny(exited, Task.Delay(Sampling, cancellationToken));
        }

        await exited;
        watch.Stop();
        return new Run(watch.Elapsed, TimeSpan.FromSeconds(ticks.Values.Sum() / TicksPerSecond), process.ExitCode, await output + await errors);
    }

    // The latest user + system ticks of each process of the session (its own, not its reaped children's, which are counted themselves).
    private static void Sample(string session, Dictionary<int, long> ticks)
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(folder, "stat"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;    // it ended meanwhile
            }

            // After the command name in parentheses: state, ppid, pgrp, session, ..., utime (12th), stime (13th).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 12 && fields[3] == session)
            {
                var used = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                ticks[pid] = Math.Max(used, ticks.GetValueOrDefault(pid));
            }
        }
    }
}
