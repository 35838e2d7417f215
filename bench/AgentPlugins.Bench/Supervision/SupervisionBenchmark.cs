using System.Globalization;
using System.Text;

namespace AgentPlugins.Bench.Supervision;

/// <summary>
/// <c>make bench-supervision</c>: how long the service is gone when a role spins (hard limit, exit,
/// scripted restart, first answer), for 1 and 50 roles, and what the crash journal costs per role
/// call (bus throughput with it on and off, alternating rounds of one run).
/// </summary>
internal sealed class SupervisionBenchmark : IBenchmark
{
    private const int Rounds = 5;
    private const int Runs = 3;

    public string Name => "supervision";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg", cancellationToken)).Split(' ')[0] : "?";

        // Journal cost: each round measures off then on for each case, back to back; round -1 warms up.
        (int Generations, string Case)[] cases = [(1, "1 subscriber: the same call marked every time"), (10, "10 subscribers of 10 generations: a new record copied every call")];
        var off = cases.Select(_ => new List<JournalCost.Result>()).ToArray();
        var on = cases.Select(_ => new List<JournalCost.Result>()).ToArray();
        var ratios = cases.Select(_ => new List<double>()).ToArray();
        for (var round = -1; round < Rounds; round++)
        {
            for (var c = 0; c < cases.Length; c++)
            {
                var without = await JournalCost.ThroughputAsync(cases[c].Generations, journal: false);
                var with = await JournalCost.ThroughputAsync(cases[c].Generations, journal: true);
                if (round >= 0)
                {
                    off[c].Add(without);
                    on[c].Add(with);
                    ratios[c].Add(with.LoopNanosecondsPerEvent / without.LoopNanosecondsPerEvent);
                }
            }
        }

        var timer = await File.ReadAllTextAsync(AgentPlugins.Tests.Support.Repository.SampleRole("timer.cs"), cancellationToken);
        var recovery = new List<(int Roles, IReadOnlyList<SpinRecovery.Run> Runs)>();
        foreach (var roles in new[] { 1, 50 })
        {
            recovery.Add((roles, await SpinRecovery.RunAsync(roles, Runs, timer)));
        }

        var loadAfter = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg", cancellationToken)).Split(' ')[0] : "?";
        var text = new StringBuilder()
            .AppendLine("# Supervision: recovery from a spinning role, and the crash journal's cost (`make bench-supervision`)")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Describe()}; load average (1 min) {load} at the start, {loadAfter} at the end")
            .AppendLine()
            .AppendLine("## A role spins: how long until the service answers again")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"`bin/host run` with default limits (soft 2 s, hard 5 s), the compile cache warm. A tool starts to spin (`/spin spin`); the host ends with exit code 70 at the hard limit; the bench, as supervisor, starts it again at once and sends `/timer list_timers` every 100 ms until it is answered. Roles: the spinning one, the timer role, and sample roles up to the count. Median of {Runs} runs (each run's values in brackets).")
            .AppendLine()
            .AppendLine("| roles besides the culprit | spin → exit (hard limit) | exit → answering again (restart) | spin → answering again |")
            .AppendLine("|---:|---:|---:|---:|");
        foreach (var (roles, runs) in recovery)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {roles} | {Cell(runs.Select(r => r.SpinToExit))} | {Cell(runs.Select(r => r.ExitToServing))} | {Cell(runs.Select(r => r.SpinToServing))} |");
        }

        text.AppendLine()
            .AppendLine("## The crash journal's cost per role call")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"The real loop and bus, one publisher thread, {JournalCost.Events:N0} events per round, handlers returning no intent, the budget off. Each round runs without the journal and then with it, for each case; medians of {Rounds} rounds. The cost is read from the loop thread's own CPU time per event (`/proc/self/task/TID/schedstat`), which waiting for a core on a busy machine does not inflate; events/s by the wall clock are shown too. \"Loop CPU with / without\" is the median of per-round ratios.")
            .AppendLine()
            .AppendLine("| case | without: events/s | without: loop CPU per event | with: events/s | with: loop CPU per event | loop CPU with / without |")
            .AppendLine("|---|---:|---:|---:|---:|---:|");
        for (var c = 0; c < cases.Length; c++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {cases[c].Case} | {Median([.. off[c].Select(r => r.EventsPerSecond)]):N0} | {Median([.. off[c].Select(r => r.LoopNanosecondsPerEvent)]):N0} ns | {Median([.. on[c].Select(r => r.EventsPerSecond)]):N0} | {Median([.. on[c].Select(r => r.LoopNanosecondsPerEvent)]):N0} ns | {Median(ratios[c]):P1} |");
        }

        text.AppendLine()
            .AppendLine("Goals: back serving ≤ 5 s after the hard limit (the \"exit → answering again\" column); the journal costs ≤ 5 % of bus throughput.")
            .AppendLine()
            .AppendLine("What it measures and what limits it: \"exit → answering again\" is a whole start of `bin/host` (runtime start, roles from the")
            .AppendLine("compile cache, the crash journal read, the culprit held back) plus the first answer; the hard limit itself is the configured")
            .AppendLine("5 s plus up to one watchdog tick (50 ms). Marking a call writes the call's ring position and the state word into the mapped")
            .AppendLine("page and clears the state after (plain stores; a record is appended once per handler of a generation), about a nanosecond")
            .AppendLine("per call; the 10-generation case is the worst, a different call on every handler call. On this shared machine the wall-clock")
            .AppendLine("rates swing by tens of percent between back-to-back runs, so the cost is read from the loop thread's CPU time.");
        return text.ToString();
    }

    private static string Cell(IEnumerable<double> values)
    {
        var list = values.ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{Median(list):N0} ms [{string.Join(", ", list.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)))}]");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
