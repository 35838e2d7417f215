using System.Diagnostics;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.Reload;

/// <summary>
/// Hot reload as a user meets it: the real <c>bin/host run</c> serving the largest sample role
/// (<c>roles/timer.cs</c>) while <c>/timer list_timers</c> is asked on stdin every 10 ms. The reply
/// text of <c>list_timers</c> is changed and saved the ways editors save (in place; temp file +
/// rename), and each save is timed to the first reply carrying the new text. Before that: CPU per reload
/// with the tail after the last save (saves a second apart, /proc/PID/stat of the host and of its compiler
/// process, which compiles the saves in a child of the host), the restart way (edit,
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
            Cpu cpu, warmCpu;
            double workerRss;
            int edit = 0;
            await using (var host = Start(roles, data, Timings))
            {
                await host.WaitForAsync("Ready:", TimeSpan.FromSeconds(120));

                // CPU first, as a user meets it after a start: saves a second apart with no requests,
                // then the tail, sampled every second.
                await Task.Delay(5000);
                cpu = await CpuAsync(host, path, source, cpuSaves, () => $"cpu{++edit}");
                workerRss = Workers(host).Sum(RssMbOf);

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
                warmCpu = await CpuAsync(host, path, source, cpuSaves, () => $"warm{++edit}");
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
            int idleWorkers;
            Dictionary<string, double> firstEditStages;
            await using (var host = Start(roles, data, Timings))
            {
                await host.WaitForAsync("Ready:", TimeSpan.FromSeconds(120));
                await Task.Delay(10_000);
                idleRss = host.RssMb;

                // The idle figure is the host's alone: no compiler process may run then (none started: nothing compiled).
                idleWorkers = Workers(host).Count;
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
                cpu.PerReload * 1000,
                warmCpu.PerReload * 1000,
                cpu.Tail * 1000,
                cpu.BusySeconds,
                cpuSaves,
                cpu.HostPerReload * 1000,
                cpu.WorkerPerReload * 1000,
                warmCpu.HostPerReload * 1000,
                warmCpu.WorkerPerReload * 1000,
                workerRss,
                idleWorkers,
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

    // CPU seconds per save (tail included) of the host and its children together, and apart; CPU seconds of the 10 s tail;
    // and the last second of the tail with > 10% of a core busy.
    private static async Task<Cpu> CpuAsync(HostProcess host, string path, string source, int saves, Func<string> marker)
    {
        var before = CpuOf(host);
        for (var i = 0; i < saves; i++)
        {
            await File.WriteAllTextAsync(path, source.Replace(Reply, $"Listing your timers {marker()}.", StringComparison.Ordinal));
            await Task.Delay(1000);
        }

        var afterSaves = CpuOf(host);
        var busy = 0;
        var last = afterSaves;
        for (var second = 1; second <= 10; second++)
        {
            await Task.Delay(1000);
            var now = CpuOf(host);
            if (now.Total - last.Total > 0.1)
            {
                busy = second;
            }

            last = now;
        }

        return new Cpu(
            (last.Total - before.Total) / saves,
            (last.Host - before.Host) / saves,
            (last.Children - before.Children) / saves,
            last.Total - afterSaves.Total,
            busy);
    }

    // CPU seconds so far of the host itself (utime + stime, /proc/PID/stat fields 14-15) and of its children: the
    // live ones' own and reaped children's (/proc/CHILD/stat fields 14-17 for each child in /proc/PID/task/*/children)
    // plus what the host has reaped (its cutime + cstime, fields 16-17). USER_HZ is 100 on Linux.
    private static (double Host, double Children, double Total) CpuOf(HostProcess host)
    {
        var self = StatOf(host.Id) ?? throw new InvalidOperationException("The host has exited.");
        var children = (self[13] + self[14]) / 100.0 + host.Children.Sum(child => StatOf(child) is { } c ? (c[11] + c[12] + c[13] + c[14]) / 100.0 : 0);
        var own = (self[11] + self[12]) / 100.0;
        return (own, children, own + children);
    }

    // The fields of /proc/PID/stat after the command name (index 0 is field 3, the state); null once it has gone.
    private static long[]? StatOf(int pid)
    {
        try
        {
            var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 14 ? [.. fields.Select(f => long.TryParse(f, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0)] : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
    }

    // The host's compiler processes, by command line.
    private static List<int> Workers(HostProcess host) =>
        [.. host.Children.Where(pid =>
        {
            try
            {
                return File.ReadAllText($"/proc/{pid}/cmdline").Contains("compile-worker", StringComparison.Ordinal);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
            {
                return false;
            }
        })];

    private static double RssMbOf(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return 0;
        }
    }

    private sealed record Cpu(double PerReload, double HostPerReload, double WorkerPerReload, double Tail, double BusySeconds);

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
        double HostCpuPerReloadMs,
        double WorkerCpuPerReloadMs,
        double WarmHostCpuPerReloadMs,
        double WarmWorkerCpuPerReloadMs,
        double WorkerRssMb,
        int IdleWorkers,
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
