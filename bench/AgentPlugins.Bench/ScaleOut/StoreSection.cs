using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentPlugins.Bench.Timers;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.ScaleOut;

/// <summary>
/// The store section of <c>make bench-scale-out</c>: role store get, set and update per second on
/// SQLite (one host's file) and on PostgreSQL (one host, and three hosts each with its own connection
/// pool on one database), same run. Each of 8 roles has a writer doing its operations one after
/// another (as a role's handler awaits each), all roles at once; an update is the SDK's
/// <c>UpdateAsync</c> (read, apply, write if the version still matches).
/// </summary>
internal static class StoreSection
{
    private const int Roles = 8;

    private static readonly List<string> Value = [.. Enumerable.Range(0, 20).Select(i => $"note number {i}")];

    private static int PerRole => int.TryParse(Environment.GetEnvironmentVariable("SCALE_OUT_STORE_OPS"), NumberStyles.None, CultureInfo.InvariantCulture, out var ops) && ops > 0 ? ops : 500;

    private enum Op
    {
        Get,
        Set,
        Update,
    }

    public static async Task<string> RunAsync(PostgresCluster cluster, int rounds, CancellationToken cancellationToken)
    {
        var setups = new (string Name, string Provider, int Hosts)[]
        {
            ("SQLite, 1 host (baseline)", "sqlite", 1),
            ("PostgreSQL, 1 host", "postgres", 1),
            ("PostgreSQL, 3 hosts", "postgres", 3),
        };
        var rows = new List<(string Setup, Op Op, double PerSecond, double P50, double P99)>();
        foreach (var (name, provider, hosts) in setups)
        {
            foreach (var op in Enum.GetValues<Op>())
            {
                var results = new List<(double PerSecond, double P50, double P99)>();
                for (var round = 0; round < rounds; round++)
                {
                    results.Add(await MeasureAsync(cluster, provider, hosts, op, cancellationToken).ConfigureAwait(false));
                    Console.Error.WriteLine(Invariant($"store {name} {op}: {results[^1].PerSecond:F0} ops/s, p50 {results[^1].P50:F3} ms, p99 {results[^1].P99:F3} ms"));
                }

                rows.Add((name, op, Stats.Median(results.Select(r => r.PerSecond)), Stats.Median(results.Select(r => r.P50)), Stats.Median(results.Select(r => r.P99))));
            }
        }

        var text = new StringBuilder();
        text.AppendLine(Invariant($"{Roles} roles, each with one writer doing {PerRole:N0} operations one after another on its own key (a 20-item list as JSON), all roles at once; with 3 hosts the roles are spread over three stores, each with its own connection pool, on one database. {rounds} round(s), medians; p50/p99 are per operation."));
        text.AppendLine();
        text.AppendLine("| setup | op | ops/s | p50 | p99 | ops/s vs SQLite |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            var baseline = rows.First(r => r.Op == row.Op).PerSecond;
            text.AppendLine(Invariant($"| {row.Setup} | {row.Op.ToString().ToLowerInvariant()} | {row.PerSecond:N0} | {row.P50:F2} ms | {row.P99:F2} ms | {row.PerSecond / baseline:P0} |"));
        }

        text.AppendLine();
        text.AppendLine("SQLite's store takes what is queued as one transaction (one commit for many writes) in the host's process; on PostgreSQL each operation is one round trip (a write is one call of `store_replace`, which locks the role's usage row), so its rate is bound by round trips and the database's CPU, which shares this machine's cores with the hosts.");
        return text.ToString();
    }

    private static async Task<(double PerSecond, double P50, double P99)> MeasureAsync(PostgresCluster cluster, string provider, int hosts, Op op, CancellationToken cancellationToken)
    {
        await using var rig = new StorageRig(provider, cluster);
        var stores = new List<IStoreService>();
        for (var h = 0; h < hosts; h++)
        {
            stores.Add(await rig.OpenStoreAsync(64L * 1024 * 1024).ConfigureAwait(false));
        }

        var scopes = Enumerable.Range(0, Roles)
            .Select(i => new RoleStore(stores[i % hosts], $"role{i}", new EventContext("console", "ann", DateTimeOffset.UtcNow, "bench"), null, cancellationToken).User)
            .ToList();
        foreach (var scope in scopes)
        {
            await scope.SetAsync("notes", Value, cancellationToken).ConfigureAwait(false);
        }

        var times = new double[Roles][];
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Roles).Select(role => Task.Run(
            async () =>
            {
                var mine = times[role] = new double[PerRole];
                for (var i = 0; i < PerRole; i++)
                {
                    var at = Stopwatch.GetTimestamp();
                    await (op switch
                    {
                        Op.Get => scopes[role].GetAsync<List<string>>("notes", cancellationToken),
                        Op.Set => scopes[role].SetAsync("notes", Value, cancellationToken),
                        _ => scopes[role].UpdateAsync<List<string>>("notes", notes => notes ?? [], cancellationToken),
                    }).ConfigureAwait(false);
                    mine[i] = Stopwatch.GetElapsedTime(at).TotalMilliseconds;
                }
            },
            cancellationToken))).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = times.SelectMany(t => t).ToList();
        return (Roles * PerRole / seconds, Stats.Percentile(all, 50), Stats.Percentile(all, 99));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
