using System.Text.RegularExpressions;
using AgentPlugins.Host.Timers;
using AgentPlugins.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AgentPlugins.Tests.Timers;

/// <summary>
/// One crash round against the real <c>bin/host</c> in <c>folder</c> (plugins.json, roles/timer.cs
/// there): 200 timers due at the same instant, kill -9 once <c>killAfter</c> notifications are out,
/// restart, and count what each timer's notification did. Shared by the tests and <c>make chaos</c>.
/// </summary>
internal static partial class CrashRound
{
    public const int Burst = 200;

    /// <param name="crash">kill -9 when true; a clean stop (SIGTERM) as the control when false.</param>
    public static async Task<CrashOutcome> RunAsync(string folder, int killAfter, TimeSpan patience, bool crash = true)
    {
        var config = Path.Combine(folder, "plugins.json");
        var database = Path.Combine(folder, "data", "timers.db");
        var round = Guid.NewGuid().ToString("N")[..6];
        var dueAt = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds();
        using (var store = new TimerStore(database))
        {
            store.Open();
            store.Begin();
            for (var i = 0; i < Burst; i++)
            {
                store.Insert($"{round}-{i}", "ann", "console", null, dueAt, dueAt - 1_000);
            }

            store.Commit();
        }

        SqliteConnection.ClearAllPools();
        var seen = new List<string>();
        int beforeKill;
        await using (var first = HostProcess.Start(folder, "run", "--config", config))
        {
            var deadline = DateTime.UtcNow + patience;
            while (Done(first.Stdout, round).Count < killAfter)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("stdout:\n" + string.Join('\n', first.Stdout) + "\nstderr:\n" + string.Join('\n', first.Stderr));
                }

                await Task.Delay(2);
            }

            if (crash)
            {
                await first.KillAsync();
            }
            else
            {
                await first.TerminateAsync(patience);
            }

            var done = Done(first.Stdout, round);
            beforeKill = done.Count;
            seen.AddRange(done);
        }

        await using (var second = HostProcess.Start(folder, "run", "--config", config))
        {
            var deadline = DateTime.UtcNow + patience;
            while (seen.Concat(Done(second.Stdout, round)).Distinct(StringComparer.Ordinal).Count() < Burst || Count(database, "firing") > 0)
            {
                if (DateTime.UtcNow > deadline)
                {
                    break;
                }

                await Task.Delay(50);
            }

            // A repeat would follow within milliseconds of the others.
            await Task.Delay(500);
            await second.TerminateAsync(patience);
            seen.AddRange(Done(second.Stdout, round));
        }

        var counts = seen.GroupBy(l => l, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var lost = Enumerable.Range(0, Burst).Select(i => $"{round}-{i}").Where(l => !counts.ContainsKey(l)).ToList();
        var repeated = counts.Where(c => c.Value > 1).ToList();
        return new CrashOutcome(beforeKill, lost, repeated.Sum(c => c.Value - 1), [.. repeated.Select(c => c.Key)]);
    }

    private static List<string> Done(IEnumerable<string> stdout, string round) =>
        [.. stdout.Select(l => DoneLine().Match(l)).Where(m => m.Success && m.Groups[1].Value.StartsWith(round, StringComparison.Ordinal)).Select(m => m.Groups[1].Value)];

    private static long Count(string database, string state)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM timers WHERE state = $state";
            command.Parameters.AddWithValue("$state", state);
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 1; // busy at this instant: asked again in a moment
        }
    }

    [GeneratedRegex(@"^\[!\] Timer '([^']+)' is done")]
    private static partial Regex DoneLine();
}

/// <param name="BeforeKill">Notifications seen before the kill.</param>
/// <param name="Lost">Timers never notified.</param>
/// <param name="Repeated">Notifications beyond the first, over all timers.</param>
/// <param name="RepeatedLabels">The timers notified more than once.</param>
internal sealed record CrashOutcome(int BeforeKill, IReadOnlyList<string> Lost, int Repeated, IReadOnlyList<string> RepeatedLabels);
