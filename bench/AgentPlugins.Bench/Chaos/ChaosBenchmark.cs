using System.Globalization;
using System.Text;
using AgentPlugins.Tests.Support;
using AgentPlugins.Tests.Timers;

namespace AgentPlugins.Bench.Chaos;

/// <summary>
/// <c>make chaos</c>: for CHAOS_SECONDS (default 180), rounds of 200 timers due at the same instant
/// against the real <c>bin/host</c>, stopped at a random point of the burst: kill -9 in three rounds
/// of four, a clean SIGTERM in the fourth (the control), then restarted. Counts timers lost (goal 0)
/// and notifications repeated (goal: at most 1 per kill).
/// </summary>
internal sealed class ChaosBenchmark : IBenchmark
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    public string Name => "chaos";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("CHAOS_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 180;
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var folder = Path.Combine(Path.GetTempPath(), "agentplugins-chaos", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(folder, "roles"));
        File.Copy(Repository.SampleRole("timer.cs"), Path.Combine(folder, "roles", "timer.cs"));
        await File.WriteAllTextAsync(Path.Combine(folder, "plugins.json"), """
            {
              "roles": { "folder": "roles" },
              "storage": { "dataFolder": "data" },
              "timers": { "timeZone": "UTC", "maxPerUser": 100000 },
              "channels": { "console": { "enabled": true, "user": "ann" } }
            }
            """, cancellationToken);

        var random = new Random(12);
        var rounds = new List<(bool Crash, int KillAfter, CrashOutcome Outcome, TimeSpan Took)>();
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(seconds))
        {
            var crash = rounds.Count % 4 != 3;
            var killAfter = random.Next(1, CrashRound.Burst);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var outcome = await CrashRound.RunAsync(folder, killAfter, Patience, crash);
            rounds.Add((crash, killAfter, outcome, watch.Elapsed));
            Console.Error.WriteLine($"round {rounds.Count}: {(crash ? "kill -9" : "SIGTERM")} after {outcome.BeforeKill} notifications, lost {outcome.Lost.Count}, repeated {outcome.Repeated}");
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleaning.
        }

        var kills = rounds.Where(r => r.Crash).ToList();
        var controls = rounds.Where(r => !r.Crash).ToList();
        var text = new StringBuilder();
        text.AppendLine("# Chaos: kill -9 during bursts of timers due at the same instant");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Describe()}; load average at start {load} (2 cores shared with other sessions).");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"`make chaos` (CHAOS_SECONDS={seconds}): each round writes {CrashRound.Burst} timers due one second ago into `timers.db`, starts `bin/host`, stops it once a random number (1–{CrashRound.Burst - 1}) of their notifications is on its standard output, restarts it and counts each timer's notifications over both runs. Three rounds of four stop it with `kill -9`; the fourth with SIGTERM, as the control.");
        text.AppendLine();
        text.AppendLine("| | rounds | timers | lost | repeated | most repeated in one round | median round |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        text.AppendLine(Row("kill -9", kills));
        text.AppendLine(Row("SIGTERM (control)", controls));
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Kills: {kills.Count}. Goal: lost 0, repeated ≤ 1 per kill. Kill points (notifications out before the kill): {string.Join(", ", kills.Select(r => r.Outcome.BeforeKill))}.");
        return text.ToString();
    }

    private static string Row(string name, List<(bool Crash, int KillAfter, CrashOutcome Outcome, TimeSpan Took)> rounds)
    {
        if (rounds.Count == 0)
        {
            return $"| {name} | 0 | | | | | |";
        }

        var median = rounds.Select(r => r.Took.TotalSeconds).Order().ElementAt(rounds.Count / 2);
        return string.Create(CultureInfo.InvariantCulture, $"| {name} | {rounds.Count} | {rounds.Count * CrashRound.Burst} | {rounds.Sum(r => r.Outcome.Lost.Count)} | {rounds.Sum(r => r.Outcome.Repeated)} | {rounds.Max(r => r.Outcome.Repeated)} | {median:F1} s |");
    }
}
