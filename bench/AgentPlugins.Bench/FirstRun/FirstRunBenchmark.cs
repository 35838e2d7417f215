using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentPlugins.Bench.Validation;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.FirstRun;

/// <summary>
/// <c>bench first-run</c>: what a fresh clone costs before the host answers. A clone of this checkout's
/// HEAD is built cold (no obj/ or bin/; the NuGet cache stays warm) three ways, one after the other in
/// the same run: before issue 14 (<c>make build READY_TO_RUN=all</c>: everything built, every assembly
/// ReadyToRun), the last session's <c>make host</c> (ReadyToRun of Roslyn and the host in the foreground,
/// analyzers on: <c>make host READY_TO_RUN=now ANALYZERS=on</c>) and today's <c>make host</c> (published
/// for the JIT at once without analyzers, the ReadyToRun publish in the background). Each build's CPU is
/// user + system of its whole process tree; the background publish reports its own (<c>times</c> in
/// bin/.r2r.log). The first answer of <c>run</c> is timed right after the build, as <c>make run</c> meets
/// it (the background publish still running); then, once the ReadyToRun bin/host is there, <c>validate</c>,
/// <c>call</c> (a first compile in a fresh process) and <c>run</c> are timed on it, and for today's build
/// also on its JIT bin/host, which serves until the background publish ends.
/// </summary>
internal sealed class FirstRunBenchmark : IBenchmark
{
    private const int Runs = 5;

    private static readonly TimeSpan BackgroundPatience = TimeSpan.FromMinutes(40);

    public string Name => "first-run";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var root = Repository.Root;
        var work = Path.Combine(Path.GetTempPath(), "agentplugins-bench-first-run", Guid.NewGuid().ToString("N")[..8]);
        var clone = Path.Combine(work, "clone");
        Directory.CreateDirectory(work);

        // Every build process is a child the timer waits for: no MSBuild nodes or compiler server kept from
        // one build to the next (they would hide CPU and warm the next variant).
        Environment.SetEnvironmentVariable("MSBUILDDISABLENODEREUSE", "1");
        Environment.SetEnvironmentVariable("DOTNET_CLI_USE_MSBUILD_SERVER", "0");
        Environment.SetEnvironmentVariable("UseSharedCompilation", "false");
        try
        {
            await Must(ProcessTimer.RunAsync("git", work, ["clone", "--quiet", "--no-local", root, clone], cancellationToken));
            var report = new StringBuilder();
            report.AppendLine("# First run: a fresh clone to a working host").AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Describe()}.  ");
            report.AppendLine("Command: `make bench-first-run` (bench/AgentPlugins.Bench/FirstRun/FirstRunBenchmark.cs).  ");
            report.AppendLine("Each build starts from a clean clone (`git clean -xdf`: no obj/, no bin/); the NuGet package cache is warm, as on any machine that restored once. ");
            report.AppendLine("MSBuild node reuse and the compiler server are off; the build CPU column is user + system of every process of the build's session, sampled from /proc (GNU time misses MSBuild's worker nodes and what they start); a background ReadyToRun publish leaves the session and reports its own CPU (`times` in bin/.r2r.log). ");
            report.AppendLine("The first answer is `run` from start to the answer of `/timer list_timers`, right after the build (today's background publish still running at nice 19). ");
            report.AppendLine(CultureInfo.InvariantCulture, $"`validate` (of roles/timer.cs), `call roles/timer.cs list_timers` (a first compile in a fresh process, then the tool) and `run` are medians of {Runs} runs of the ReadyToRun bin/host once it is there.").AppendLine();
            report.AppendLine("| build | load avg before | build wall | build CPU | first `make run` to an answer | background ReadyToRun: wall (CPU) | validate, wall (CPU) | call, wall (CPU) | run to first answer |");
            report.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

            (string Label, string[] Make)[] variants =
            [
                ("before issue 14: `make build READY_TO_RUN=all`", ["build", "READY_TO_RUN=all"]),
                ("last session's `make host` (`make host READY_TO_RUN=now ANALYZERS=on`)", ["host", "READY_TO_RUN=now", "ANALYZERS=on"]),
                ("today's `make host` (what `make run` runs)", ["host"]),
            ];
            var firstRuns = new List<TimeSpan>();
            var cpus = new List<TimeSpan>();
            var jit = string.Empty;
            foreach (var (label, make) in variants)
            {
                await Must(ProcessTimer.RunAsync("git", clone, ["clean", "-xdfq"], cancellationToken));
                var load = LoadAverage();
                var build = await SessionCpu.RunAsync("make", clone, make, cancellationToken);
                if (build.ExitCode != 0)
                {
                    throw new InvalidOperationException($"make {string.Join(' ', make)} failed (exit {build.ExitCode}):\n{build.Output}");
                }

                var host = Path.Combine(clone, "bin", "host");
                var first = await FirstAnswerAsync(host, clone, work, cancellationToken);
                firstRuns.Add(build.Elapsed + first);
                cpus.Add(build.Cpu);

                var background = "none";
                if (File.Exists(Path.Combine(clone, "bin", ".r2r.pid")))
                {
                    var (wall, cpu) = await BackgroundAsync(clone, build.Elapsed, cancellationToken);
                    background = $"{Seconds(wall)} ({(cpu is { } c ? Seconds(c) : "n/a")})";
                    jit = $"Today's JIT bin/host (bin/.host/host, what serves until the background publish ends): validate {await TimeAsync(Path.Combine(clone, "bin", ".host", "host"), clone, ["validate", "roles/timer.cs"], cancellationToken)}, call {await TimeAsync(Path.Combine(clone, "bin", ".host", "host"), clone, ["call", "roles/timer.cs", "list_timers"], cancellationToken)}.";
                }

                var validate = await TimeAsync(host, clone, ["validate", "roles/timer.cs"], cancellationToken);
                var call = await TimeAsync(host, clone, ["call", "roles/timer.cs", "list_timers"], cancellationToken);
                var answers = new List<TimeSpan>();
                for (var i = 0; i < Runs; i++)
                {
                    answers.Add(await FirstAnswerAsync(host, clone, work, cancellationToken));
                }

                report.AppendLine(CultureInfo.InvariantCulture,
                    $"| {label} | {load} | {Seconds(build.Elapsed)} | {Seconds(build.Cpu)} | {Seconds(build.Elapsed + first)} | {background} | {validate} | {call} | {Seconds(ProcessTimer.Median(answers))} |");
            }

            report.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"First `make run` to an answer: {Seconds(firstRuns[0])} before issue 14, {Seconds(firstRuns[1])} last session, {Seconds(firstRuns[2])} today ({firstRuns[2] / firstRuns[0]:P0} of before, {firstRuns[2] / firstRuns[1]:P0} of last session).");
            report.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"Build CPU to a runnable bin/host: {Seconds(cpus[0])} before issue 14, {Seconds(cpus[1])} last session, {Seconds(cpus[2])} today ({cpus[2] / cpus[0]:P0} of before, {cpus[2] / cpus[1]:P0} of last session).");

            if (jit.Length > 0)
            {
                report.AppendLine().AppendLine(jit);
            }

            report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Load average at the end: {LoadAverage()}.");
            return report.ToString();
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    // Waits for the background ReadyToRun publish `make host` started; its wall time counts from the build's start, its CPU is what its shell's `times` logged.
    private static async Task<(TimeSpan Wall, TimeSpan? Cpu)> BackgroundAsync(string clone, TimeSpan buildWall, CancellationToken cancellationToken)
    {
        var pid = Path.Combine(clone, "bin", ".r2r.pid");
        var watch = Stopwatch.StartNew();
        while (File.Exists(pid))
        {
            if (watch.Elapsed > BackgroundPatience)
            {
                throw new TimeoutException($"The background ReadyToRun publish did not end in {BackgroundPatience}; see {Path.Combine(clone, "bin", ".r2r.log")}.");
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        var log = await File.ReadAllLinesAsync(Path.Combine(clone, "bin", ".r2r.log"), cancellationToken);
        if (!File.Exists(Path.Combine(clone, "bin", ".host-r2r", "host")))
        {
            throw new InvalidOperationException($"The background ReadyToRun publish failed:\n{string.Join('\n', log)}");
        }

        // `times` prints the shell's user and system time, then its children's: "0m41.250s 0m3.120s".
        var children = log.Length > 0 ? log[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        TimeSpan? cpu = children.Length == 2 ? Minutes(children[0]) + Minutes(children[1]) : null;
        return (buildWall + watch.Elapsed, cpu);
    }

    private static TimeSpan Minutes(string time)
    {
        var m = time.IndexOf('m', StringComparison.Ordinal);
        return TimeSpan.FromMinutes(double.Parse(time[..m], CultureInfo.InvariantCulture)) + TimeSpan.FromSeconds(double.Parse(time[(m + 1)..].TrimEnd('s'), CultureInfo.InvariantCulture));
    }

    private static async Task<string> TimeAsync(string host, string folder, string[] arguments, CancellationToken cancellationToken)
    {
        var runs = new List<ProcessTimer.Run>();
        for (var i = 0; i < Runs; i++)
        {
            runs.Add(await Must(ProcessTimer.RunAsync(host, folder, arguments, cancellationToken, measureCpu: true)));
        }

        var cpu = runs.All(r => r.Cpu is not null) ? Seconds(ProcessTimer.Median(runs.Select(r => r.Cpu!.Value))) : "n/a";
        return $"{Seconds(ProcessTimer.Median(runs.Select(r => r.Elapsed)))} ({cpu})";
    }

    // From process start to the answer of a first request: the host started, compiled its roles and serves.
    private static async Task<TimeSpan> FirstAnswerAsync(string host, string clone, string work, CancellationToken cancellationToken)
    {
        var data = Path.Combine(work, "data-" + Guid.NewGuid().ToString("N")[..8]);
        var watch = Stopwatch.StartNew();
        await using var process = HostProcess.StartRun(Path.Combine(clone, "roles"), data, new Dictionary<string, string> { ["AGENTPLUGINS_HTTP__ENABLED"] = "false" }, host);
        await process.SendAsync("/timer list_timers");
        await process.WaitForStdoutAsync(line => line == "Listing your timers.", TimeSpan.FromMinutes(5));
        var elapsed = watch.Elapsed;
        await process.TerminateAsync(TimeSpan.FromMinutes(1));
        cancellationToken.ThrowIfCancellationRequested();
        return elapsed;
    }

    private static async Task<ProcessTimer.Run> Must(Task<ProcessTimer.Run> running)
    {
        var run = await running;
        return run.ExitCode == 0 ? run : throw new InvalidOperationException($"A step failed (exit {run.ExitCode}):\n{run.Output}");
    }

    private static string Seconds(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:F1} s");

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
