using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentPlugins.Bench.Validation;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.FirstRun;

/// <summary>
/// <c>bench first-run</c>: what a fresh clone costs before the host answers. A clone of this checkout's
/// HEAD is built cold (no obj/ or bin/; the NuGet cache stays warm) three ways, one after the other in
/// the same run: the baseline (<c>make build READY_TO_RUN=all</c>: everything built, every assembly
/// ReadyToRun, which is what the first <c>make run</c> did), <c>make host</c> (what <c>make run</c> does
/// now) and <c>make build</c> (what tests need). After each, the bin/host it made is timed on
/// <c>validate</c> of one role, <c>call</c> (a first compile, start and tool call) and <c>run</c> up
/// to the first answer.
/// </summary>
internal sealed class FirstRunBenchmark : IBenchmark
{
    private const int Runs = 5;

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
            report.AppendLine("MSBuild node reuse and the compiler server are off, so the CPU column holds all the build's work. ");
            report.AppendLine(CultureInfo.InvariantCulture, $"Host timings are medians of {Runs} runs of the bin/host that build made: `validate` of roles/timer.cs, `call roles/timer.cs list_timers` (a first compile in a fresh process, then the tool), and `run` from start to the answer of `/timer list_timers`.").AppendLine();
            report.AppendLine("| build | load avg before | build wall | build CPU | validate, wall (CPU) | call, wall (CPU) | run to first answer | first `make run` to an answer |");
            report.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

            (string Label, string[] Make)[] variants =
            [
                ("baseline: `make build READY_TO_RUN=all` (what `make run` ran before)", ["build", "READY_TO_RUN=all"]),
                ("`make host` (what `make run` runs now)", ["host"]),
                ("`make build` (everything, for tests)", ["build"]),
            ];
            var totals = new List<TimeSpan>();
            foreach (var (label, make) in variants)
            {
                await Must(ProcessTimer.RunAsync("git", clone, ["clean", "-xdfq"], cancellationToken));
                var load = LoadAverage();
                var build = await Must(ProcessTimer.RunAsync("make", clone, make, cancellationToken, measureCpu: true));
                var host = Path.Combine(clone, "bin", "host");
                var validate = await TimeAsync(host, clone, ["validate", "roles/timer.cs"], cancellationToken);
                var call = await TimeAsync(host, clone, ["call", "roles/timer.cs", "list_timers"], cancellationToken);
                var answers = new List<TimeSpan>();
                for (var i = 0; i < Runs; i++)
                {
                    answers.Add(await FirstAnswerAsync(host, clone, work, cancellationToken));
                }

                var answer = ProcessTimer.Median(answers);
                totals.Add(build.Elapsed + answer);
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"| {label} | {load} | {Seconds(build.Elapsed)} | {(build.Cpu is { } cpu ? Seconds(cpu) : "n/a")} | {validate} | {call} | {Seconds(answer)} | {Seconds(build.Elapsed + answer)} |");
            }

            report.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                $"First `make run` to an answer: {Seconds(totals[0])} before, {Seconds(totals[1])} now ({totals[1] / totals[0]:P0} of before). Load average at the end: {LoadAverage()}.");
            return report.ToString();
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
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
