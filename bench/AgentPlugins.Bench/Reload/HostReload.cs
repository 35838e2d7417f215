using System.Diagnostics;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.Reload;

/// <summary>
/// Hot reload as a user meets it: the real <c>bin/host run</c> serving the largest sample role
/// (<c>roles/timer.cs</c>) while <c>/timer list_timers</c> is asked on stdin every 10 ms. The reply
/// text of <c>list_timers</c> is changed and saved the ways editors save (in place; temp file +
/// rename), and each save is timed to the first reply carrying the new text. Before that: CPU per reload
/// with the tail after the last save (saves a second apart, /proc/PID/stat), the restart way (edit,
/// stop, start, first answer), idle RSS after a restart from a warm compile cache, and the first
/// edit after such a start.
/// </summary>
internal static class HostReload
{
    private const string Reply = "Listing your timers.";
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);
    // A host build from before roles:reloadTimings refuses the key: BENCH_HOST_TIMINGS=0 leaves it out (latencies only).
    private static readonly Dictionary<string, string> Timings = Environment.GetEnvironmentVariable("BENCH_HOST_TIMINGS") == "0"
        ? []
        : new() { ["AGENTPLUGINS_ROLES__RELOADTIMINGS"] = "true" };
    private static readonly Dictionary<string, string> NoWatch = new() { ["AGENTPLUGINS_ROLES__WATCH"] = "false" };

    public static async Task<Result> RunAsync(int saves, int cpuSaves, int restarts)
    {
        var source = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot, "roles", "timer.cs"));
        if (!source.Contains(Reply, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"roles/timer.cs no longer says '{Reply}'; adjust the bench.");
        }

        var folder = Path.Combine(Path.GetTempPath(), "agentplugins-bench", Guid.NewGuid().ToString("N")[..12]);
        var roles = Path.Combine(folder, "roles");
        var data = Path.Combine(folder, "data");
        var path = Path.Combine(roles, "timer.cs");
        Directory.CreateDirectory(roles);
        await File.WriteAllTextAsync(path, source);
        try
        {
            var latencies = new List<double>();
            var stages = new List<Dictionary<string, double>>();
            double cpuPerReload, tailCpu, busySeconds, warmCpuPerReload;
            int edit = 0;
            await using (var host = Start(roles, data, Timings))
            {
                await host.WaitForAsync("Ready:", TimeSpan.FromSeconds(120));

                // CPU first, as a user meets it after a start: saves a second apart with no requests,
                // then the tail, sampled every second.
                await Task.Delay(5000);
                (cpuPerReload, tailCpu, busySeconds) = await CpuAsync(host, path, source, cpuSaves, () => $"cpu{++edit}");

                using var asking = new CancellationTokenSource();
                var asker = AskAsync(host, asking.Token);
                await Task.Delay(1000);
                for (var i = 0; i < saves; i++)
                {
                    var marker = $"probe{++edit}";
                    var (latency, stage) = await SaveAndTimeAsync(host, path, source.Replace(Reply, $"Listing your timers {marker}.", StringComparison.Ordinal), marker, rename: i % 2 == 1);
                    latencies.Add(latency);
                    stages.Add(stage);
                    await Task.Delay(500);
                }

                await asking.CancelAsync();
                await asker;

                // And once the JIT has settled.
                await Task.Delay(2000);
                (warmCpuPerReload, _, _) = await CpuAsync(host, path, source, cpuSaves, () => $"warm{++edit}");
            }

            // The way without hot reload: the same kind of edit, then stop the host and start it again
            // until it answers with the new text (these hosts do not watch the folder).
            var restartTimes = new List<double>();
            var running = Start(roles, data, NoWatch);
            await running.WaitForAsync("Ready:", TimeSpan.FromSeconds(120));
            for (var round = 0; round < restarts; round++)
            {
                var marker = $"restart{++edit}";
                await File.WriteAllTextAsync(path, source.Replace(Reply, $"Listing your timers {marker}.", StringComparison.Ordinal));
                var started = Stopwatch.GetTimestamp();
                await running.TerminateAsync(TimeSpan.FromSeconds(30));
                await running.DisposeAsync();
                running = Start(roles, data, NoWatch);
                restartTimes.Add(await AnswerAsync(running, marker, started));
            }

            await running.TerminateAsync(TimeSpan.FromSeconds(30));
            await running.DisposeAsync();

            // A start whose role comes from the compile cache: idle memory, then the first edit (Roslyn cold).
            double idleRss, firstEdit;
            Dictionary<string, double> firstEditStages;
            await using (var host = Start(roles, data, Timings))
            {
                await host.WaitForAsync("Ready:", TimeSpan.FromSeconds(120));
                await Task.Delay(10_000);
                idleRss = host.RssMb;
                using var asking = new CancellationTokenSource();
                var asker = AskAsync(host, asking.Token);
                await Task.Delay(500);
                var marker = $"first{++edit}";
                (firstEdit, firstEditStages) = await SaveAndTimeAsync(host, path, source.Replace(Reply, $"Listing your timers {marker}.", StringComparison.Ordinal), marker, rename: false);
                await asking.CancelAsync();
                await asker;
            }

            latencies.Sort();
            restartTimes.Sort();
            return new Result(
                saves,
                latencies,
                stages,
                cpuPerReload * 1000,
                warmCpuPerReload * 1000,
                tailCpu * 1000,
                busySeconds,
                cpuSaves,
                restartTimes[restartTimes.Count / 2],
                restarts,
                idleRss,
                firstEdit,
                firstEditStages,
                source.Split('\n').Length);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // The checkout the bench runs from: its roles/timer.cs is the role measured, whichever host build runs it.
    private static string RepositoryRoot => Repository.Root;

    // bin/host of this checkout, or the launcher named by BENCH_HOST (another build or JIT setting, measured the same way).
    private static HostProcess Start(string roles, string data, IReadOnlyDictionary<string, string> environment) =>
        HostProcess.StartRun(roles, data, environment, Environment.GetEnvironmentVariable("BENCH_HOST") is { Length: > 0 } other ? Path.GetFullPath(other) : null);

    private static async Task<(double Latency, Dictionary<string, double> Stages)> SaveAndTimeAsync(HostProcess host, string path, string text, string marker, bool rename)
    {
        var saved = Stopwatch.GetTimestamp();
        if (rename)
        {
            // How vim (with backupcopy=no), sed -i and many IDEs save: a new file moved over the old.
            var temporary = path + ".swp~";
            await File.WriteAllTextAsync(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
        else
        {
            await File.WriteAllTextAsync(path, text);
        }

        var answered = (await host.WaitForLineAsync($"Listing your timers {marker}.", AnswerTimeout, saved)).At;
        var latency = Stopwatch.GetElapsedTime(saved, answered).TotalMilliseconds;
        try
        {
            var timings = await host.WaitForLineAsync("Reload timings", TimeSpan.FromSeconds(2), saved);
            return (latency, ReloadStages.Parse(timings.Line, saved, answered));
        }
        catch (TimeoutException)
        {
            // A host build without the timings line (a baseline): the latency alone.
            return (latency, []);
        }
    }

    // CPU seconds per save (tail included), CPU seconds of the 10 s tail, and the last second of the tail with > 10% of a core busy.
    private static async Task<(double PerReload, double Tail, double BusySeconds)> CpuAsync(HostProcess host, string path, string source, int saves, Func<string> marker)
    {
        var before = host.CpuSeconds;
        for (var i = 0; i < saves; i++)
        {
            await File.WriteAllTextAsync(path, source.Replace(Reply, $"Listing your timers {marker()}.", StringComparison.Ordinal));
            await Task.Delay(1000);
        }

        var afterSaves = host.CpuSeconds;
        var busy = 0;
        var last = afterSaves;
        for (var second = 1; second <= 10; second++)
        {
            await Task.Delay(1000);
            var now = host.CpuSeconds;
            if (now - last > 0.1)
            {
                busy = second;
            }

            last = now;
        }

        return ((last - before) / saves, last - afterSaves, busy);
    }

    private static async Task AskAsync(HostProcess host, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await host.SendAsync("/timer list_timers");
            try
            {
                await Task.Delay(10, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<double> AnswerAsync(HostProcess host, string marker, long started)
    {
        using var asking = new CancellationTokenSource();
        var asker = AskAsync(host, asking.Token);
        var answered = (await host.WaitForLineAsync($"Listing your timers {marker}.", TimeSpan.FromSeconds(120), started)).At;
        await asking.CancelAsync();
        await asker;
        return Stopwatch.GetElapsedTime(started, answered).TotalMilliseconds;
    }

    internal sealed record Result(
        int Saves,
        List<double> Latencies,
        List<Dictionary<string, double>> Stages,
        double CpuPerReloadMs,
        double WarmCpuPerReloadMs,
        double TailCpuMs,
        double BusySecondsAfterSaves,
        int CpuSaves,
        double RestartMs,
        int Restarts,
        double IdleRssMb,
        double FirstEditMs,
        Dictionary<string, double> FirstEditStages,
        int RoleLines)
    {
        public double P(double p) => ReloadStages.Percentile(Latencies, p);
    }
}
