using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace AgentPlugins.Bench.Reload;

/// <summary>
/// Hot reload, measured (<c>make bench-reload</c>): save → first event handled by the new
/// generation over 100 edits; leaks and memory over 1,000 reload cycles; start-up to ready with 50
/// roles, cold and warm compile cache; and, in the same run, the way without hot reload (edit a
/// compiled plugin, <c>dotnet build</c>, restart the host until it answers).
/// </summary>
internal sealed class ReloadBenchmark : IBenchmark
{
    private const int Edits = 100;
    private const int Cycles = 1000;
    private const int StartupRoles = 50;
    private const int WarmStarts = 3;
    private const int RebuildRounds = 3;
    private const int HostSaves = 60;
    private const int CpuSaves = 20;
    private const int HostRestarts = 3;

    public string Name => "reload";

    internal static string HostSection(HostReload.Result host)
    {
        var c = CultureInfo.InvariantCulture;
        static string Verdict(bool met) => met ? "met" : "**missed**";
        return new StringBuilder()
            .AppendLine(c, $"## The real host (`bin/host run`, roles/timer.cs, {host.RoleLines} lines)")
            .AppendLine()
            .AppendLine("| measure | result | goal | |")
            .AppendLine("|---|---:|---:|---|")
            .AppendLine(c, $"| save → new code answering, p50 ({host.Saves} saves, in place and temp + rename alternating) | {host.P(0.5):F0} ms | ≤ 60 ms | {Verdict(host.P(0.5) <= 60)} |")
            .AppendLine(c, $"| save → new code answering, p90 | {host.P(0.9):F0} ms | | |")
            .AppendLine(c, $"| save → new code answering, p99 | {host.P(0.99):F0} ms | ≤ 150 ms | {Verdict(host.P(0.99) <= 150)} |")
            .AppendLine(c, $"| CPU per reload, tail included ({host.CpuSaves} saves 1 s apart, then 10 s; host + compiler process) | {host.CpuPerReloadMs:F0} ms | ≤ 100 ms | {Verdict(host.CpuPerReloadMs <= 100)} |")
            .AppendLine(c, $"| of which the host process / the compiler process | {host.HostCpuPerReloadMs:F0} ms / {host.WorkerCpuPerReloadMs:F0} ms | | |")
            .AppendLine(c, $"| CPU in the 10 s after the last save | {host.TailCpuMs:F0} ms | | |")
            .AppendLine(c, $"| CPU per reload once the JIT has settled ({host.CpuSaves} more saves after the latency saves) | {host.WarmCpuPerReloadMs:F0} ms ({host.WarmHostCpuPerReloadMs:F0} host + {host.WarmWorkerCpuPerReloadMs:F0} compiler process) | | |")
            .AppendLine(c, $"| compiler process RSS after the first {host.CpuSaves} saves | {host.WorkerRssMb:F0} MB | | |")
            .AppendLine(c, $"| seconds after the last save until the host uses < 10% of a core | {host.BusySecondsAfterSaves:F0} | ≤ 1 | {Verdict(host.BusySecondsAfterSaves <= 1)} |")
            .AppendLine(c, $"| without hot reload: edit, stop, start, first answer (median of {host.Restarts}) | {host.RestartMs:F0} ms | | |")
            .AppendLine(c, $"| **edit → live: restart / hot reload (p50)** | **{host.RestartMs:F0} ms / {host.P(0.5):F0} ms = {host.RestartMs / host.P(0.5):F0}×** | | |")
            .AppendLine(c, $"| idle RSS, started with every role from the compile cache (10 s after ready; compiler processes running: {host.IdleWorkers}) | {host.IdleRssMb:F0} MB | ≤ 100 MB | {Verdict(host.IdleRssMb <= 100 && host.IdleWorkers == 0)} |")
            .AppendLine(c, $"| first edit after such a start (Roslyn loads and warms up) | {host.FirstEditMs:F0} ms | | |")
            .AppendLine()
            .AppendLine(c, $"Stages of a save in the real host, ms (median and p90 over {host.Saves} saves):")
            .AppendLine()
            .AppendLine("| stage | p50 | p90 |")
            .AppendLine("|---|---:|---:|")
            .AppendJoin(Environment.NewLine, ReloadStages.Table(host.Stages)).AppendLine()
            .AppendLine()
            .AppendLine(c, $"The first edit after a start from the compile cache: {string.Join(", ", ReloadStages.Names.Where(host.FirstEditStages.ContainsKey).Select(n => string.Create(c, $"{n} {host.FirstEditStages[n]:F0}")))} ms.")
            .AppendLine()
            .ToString();
    }

    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var loadBefore = LoadAverage();
        Console.Error.WriteLine($"real host: {HostSaves} saves of roles/timer.cs, CPU over {CpuSaves} saves, {HostRestarts} restarts ...");
        var host = await HostReload.RunAsync(HostSaves, CpuSaves, HostRestarts);
        var loadAfterHost = LoadAverage();
        Console.Error.WriteLine($"save → handled over {Edits} edits ...");
        var save = await SaveToHandled.RunAsync(Edits);
        Console.Error.WriteLine($"{Cycles} reload cycles ...");
        var cycles = await ReloadCycles.RunAsync(Cycles);
        Console.Error.WriteLine($"start-up with {StartupRoles} roles ...");
        var startup = await StartupToReady.RunAsync(StartupRoles, WarmStarts);
        Console.Error.WriteLine($"dotnet build + restart, {RebuildRounds} rounds ...");
        var rebuild = await RebuildRestart.RunAsync(RebuildRounds);
        var loadBeforePlugin = LoadAverage();
        Console.Error.WriteLine($"compiled plugin: {PluginReloadBenchmark.Rounds} rebuilds ...");
        var plugin = await PluginRebuild.RunAsync(PluginReloadBenchmark.Rounds);
        var loadAfterPlugin = LoadAverage();

        var c = CultureInfo.InvariantCulture;
        static string Verdict(bool met) => met ? "met" : "**missed**";
        return new StringBuilder()
            .AppendLine("# Hot reload (`make bench-reload`)")
            .AppendLine()
            .AppendLine(c, $"Machine: {Machine.Describe()}")
            .AppendLine()
            .Append(HostSection(host))
            .AppendLine("## Inside a test runtime (the reload path without the process around it)")
            .AppendLine()
            .AppendLine("| measure | result | goal | |")
            .AppendLine("|---|---:|---:|---|")
            .AppendLine(c, $"| save → first event handled by the new generation, p50 ({save.Edits} edits) | {save.P50:F0} ms | ≤ 100 ms | {Verdict(save.P50 <= 100)} |")
            .AppendLine(c, $"| save → first event handled by the new generation, p99 | {save.P99:F0} ms | ≤ 250 ms | {Verdict(save.P99 <= 250)} |")
            .AppendLine(c, $"| leaked generations after {cycles.Cycles:N0} reload cycles | {cycles.Leaked} ({cycles.Unloaded:N0} verified unloaded, {cycles.Pending} undecided) | 0 | {Verdict(cycles.Leaked == 0 && cycles.Pending == 0)} |")
            .AppendLine(c, $"| managed heap growth after full GC | {cycles.HeapGrowthMb:F1} MB (heap {cycles.HeapMb:F1} MB) | ≤ 5 MB | {Verdict(cycles.HeapGrowthMb <= 5)} |")
            .AppendLine(c, $"| RSS growth after full GC | {cycles.RssGrowthMb:F1} MB (RSS {cycles.RssMb:F0} MB) | ≤ 64 MB | {Verdict(cycles.RssGrowthMb <= 64)} |")
            .AppendLine(c, $"| start-up to ready, {startup.Roles} roles, cold compile cache | {startup.Cold:F0} ms | | |")
            .AppendLine(c, $"| start-up to ready, {startup.Roles} roles, warm compile cache (median of {WarmStarts}) | {startup.Warm:F0} ms | ≤ 1,500 ms | {Verdict(startup.Warm <= 1500)} |")
            .AppendLine(c, $"| unload verification per reload cycle (forced collections) | {cycles.VerifyMsPerCycle:F1} ms ({cycles.Passes:N0} passes, {cycles.CacheClears:N0} with cache clearing, for {cycles.Cycles:N0} generations) | | |")
            .AppendLine(c, $"| without hot reload: `dotnet build` of the plugin (median of {rebuild.Rounds}) | {rebuild.Build:F0} ms | | |")
            .AppendLine(c, $"| without hot reload: restart the host until it answers (median of {rebuild.Rounds}) | {rebuild.Restart:F0} ms | | |")
            .AppendLine(c, $"| **edit → live: without hot reload / with it (p50)** | **{rebuild.Total:F0} ms / {save.P50:F0} ms = {rebuild.Total / save.P50:F0}×** | | |")
            .AppendLine()
            .AppendLine(c, $"Stages of a save in the test runtime, ms (median and p90 over {save.Edits} edits):")
            .AppendLine()
            .AppendLine("| stage | p50 | p90 |")
            .AppendLine("|---|---:|---:|")
            .AppendJoin(Environment.NewLine, ReloadStages.Table(save.Stages)).AppendLine()
            .AppendLine()
            .AppendLine("How each is measured:")
            .AppendLine()
            .AppendLine(c, $"- **Real host**: `bin/host run` on a temp copy of roles/timer.cs with `AGENTPLUGINS_ROLES__RELOADTIMINGS=true` (the host logs each reload's stages); `/timer list_timers` written to its stdin every 10 ms; the reply text of `list_timers` changed and saved {host.Saves} times, in place and by temp file + rename alternately, 0.5 s apart; each save timed from just before the write to the first stdout line with the new text. Stages: file event = save → the watcher's first event; debounce (adaptive: learns each file's write bursts, {Host.Roles.Watching.AdaptiveDebounce.Floor.TotalMilliseconds:F0} ms up to `roles:debounce`); read; parse (and build the compilation); rules; emit; queue (waiting for the loop); load (assembly, instantiate, Register); swap (retire the old generation, put the new one in); first dispatch = swap → the reply line read by the bench. CPU: 5 s after ready, {host.CpuSaves} saves 1 s apart with no requests, then 10 s, utime + stime of the host from /proc/PID/stat plus its children's (the compiler process, `roles:compiler` `process`, started without tiered JIT: while alive its own /proc/CHILD/stat utime + stime + cutime + cstime, found through /proc/PID/task/*/children; once reaped the host's cutime + cstime), divided by the saves, and the host and the compiler process apart (the same again after the latency saves: once the JIT has settled); the compiler process's VmRSS after those saves. Restart: the host runs with `roles:watch` off; edit, SIGTERM, start, `/timer list_timers` every 10 ms until the new text. Idle RSS: VmRSS of the host (alone) started again on the same data folder (the role from the compile cache), 10 s after ready; no compiler process runs then (the count is in the row, and the row is missed if one does).")
            .AppendLine(c, $"- **Save → handled**: a real runtime watches a temp roles folder; a publisher sends a PING every ~1 ms; the sample role (~35 lines: an event handler, a tool, an intent handler) is rewritten in place with a new marker, then 100 ms of quiet. The time runs from the write's return to the first PING answered with the new marker: watcher, debounce (adaptive, at most {new Host.Configuration.RolesOptions().Debounce.TotalMilliseconds:F0} ms), Roslyn, load, swap, dispatch. {save.Compiles} compiles for {save.Edits} edits; max {save.Max:F0} ms.")
            .AppendLine(c, $"- **Reload cycles**: the sample role loaded {cycles.Cycles:N0} times through the loader, each time with new content (Roslyn every time; {cycles.MsPerCycle:F1} ms per cycle including compile), after 30 warm-up cycles. Heap and RSS are taken after the unload verifier has judged every generation and three forced compacting collections, before and after.")
            .AppendLine("- **Start-up**: the real `bin/host run` with 50 role files, from process start to its `Ready` log line; cold = empty data folder, warm = the same folders again (compile cache filled by the cold run).")
            .AppendLine("- **Without hot reload**: the sample role as a class library (SDK + `Microsoft.SemanticKernel.Abstractions`), one-line change, `dotnet build -c Release` (restore already done), then `bin/host run` restarted and sent `/sample say` on stdin until it answers with the new marker. This host does not load compiled plugins, so the restarted host serves the role from the compile cache: the restart column is a restart without any compile.")
            .AppendLine()
            .Append(PluginReloadBenchmark.Section(plugin, loadBeforePlugin, loadAfterPlugin))
            .AppendLine(c, $"Load average (1 min) at start {loadBefore}, after the real-host part {loadAfterHost}, at end {LoadAverage()}: the 2 cores are shared with other work, and every latency here moves with it.")
            .AppendLine()
            .AppendLine(c, $"Total bench time: {total.Elapsed.TotalSeconds:F0} s.")
            .ToString();
    }
}
