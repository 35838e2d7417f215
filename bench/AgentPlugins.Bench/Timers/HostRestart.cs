using System.Diagnostics;

namespace AgentPlugins.Bench.Timers;

/// <summary>Starts the real <c>bin/host</c> on a copy of a timer database and times its first expiry line.</summary>
internal static class HostRestart
{
    /// <returns>Milliseconds per round, or nothing when bin/host has not been built.</returns>
    public static async Task<IReadOnlyList<double>> MeasureAsync(string template, string folder, int rounds)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "AgentPlugins.sln")))
        {
            root = root.Parent;
        }

        var host = root is null ? null : Path.Combine(root.FullName, "bin", "host");
        if (host is null || !File.Exists(host))
        {
            return [];
        }

        var times = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var site = Path.Combine(folder, $"host-{round}");
            Directory.CreateDirectory(Path.Combine(site, "data"));
            Directory.CreateDirectory(Path.Combine(site, "roles"));
            File.Copy(template, Path.Combine(site, "data", "timers.db"));
            File.Copy(Path.Combine(root!.FullName, "roles", "timer.cs"), Path.Combine(site, "roles", "timer.cs"));
            await File.WriteAllTextAsync(Path.Combine(site, "plugins.json"), """{ "timers": { "timeZone": "UTC" }, "channels": { "console": { "user": "console" } } }""");
            times.Add(await TimeFirstExpiryAsync(host, site));
            Console.Error.WriteLine($"host restart round {round + 1}: {times[^1]:F0} ms");
        }

        return times;
    }

    private static async Task<double> TimeFirstExpiryAsync(string host, string site)
    {
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = site };
        start.ArgumentList.Add("run");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(Path.Combine(site, "plugins.json"));
        var fired = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var began = Stopwatch.GetTimestamp();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Timer 'overdue' is done", StringComparison.Ordinal) == true)
            {
                fired.TrySetResult(Stopwatch.GetTimestamp());
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var at = await fired.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return Stopwatch.GetElapsedTime(began, at).TotalMilliseconds;
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }
}
