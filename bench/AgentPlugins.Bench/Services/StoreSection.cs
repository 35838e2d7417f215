using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentPlugins.Host.Store;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Bench.Services;

/// <summary>
/// The role store (<c>context.Store</c>: the SDK's <see cref="RoleStore"/> on the host's
/// <c>RoleStoreService</c>) against raw Microsoft.Data.Sqlite doing the same get, set and
/// read-modify-write on a file with the same settings (WAL, synchronous=NORMAL), in the same run,
/// from one role and from 10 roles at once.
/// </summary>
internal static class StoreSection
{
    private const int OpsPerRole = 2_000;
    private const int Roles = 10;
    private const int OpsPerRoleOfTen = 400;
    private static readonly List<string> Value = [.. Enumerable.Range(1, 10).Select(i => $"note number {i}")];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private enum Op
    {
        Get,
        Set,
        Update,
    }

    public static async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        using var folder = new TempFolder();
        var rows = new List<string>();
        foreach (var op in Enum.GetValues<Op>())
        {
            foreach (var roles in new[] { 1, Roles })
            {
                var perRole = roles == 1 ? OpsPerRole : OpsPerRoleOfTen;
                var raw = await RawAsync(Path.Combine(folder.Path, $"raw-{op}-{roles}.db"), op, roles, perRole, cancellationToken).ConfigureAwait(false);
                var store = await StoreAsync(Path.Combine(folder.Path, $"store-{op}-{roles}.db"), op, roles, perRole, cancellationToken).ConfigureAwait(false);
                rows.Add(Row(op, roles, "raw Microsoft.Data.Sqlite", raw, raw));
                rows.Add(Row(op, roles, "`context.Store`", store, raw));
            }
        }

        var report = new StringBuilder();
        report.AppendLine("## Store: `context.Store` vs raw Microsoft.Data.Sqlite").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"""
            Each op on one key per role holding a list of 10 short strings (JSON). `set` writes it, `get`
            reads it, `update` reads, adds nothing and writes it back as one step (`UpdateAsync`; raw:
            BEGIN IMMEDIATE, SELECT, UPDATE, COMMIT). One role: {OpsPerRole:N0} awaited ops in a row; 10 roles:
            10 concurrent tasks of {OpsPerRoleOfTen:N0} ops each, each role on its own key (raw: a connection
            per role). The store is called the way a role calls it, minus the loop (its continuations are
            not posted back to the loop here). Goal: at least 50% of raw ops/s.
            """).AppendLine();
        report.AppendLine("| op | roles | client | ops/s | p50 | p99 | ops/s vs raw |");
        report.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            report.AppendLine(row);
        }

        report.AppendLine().AppendLine("""
            Why the store can beat raw under concurrency: its one worker takes what is queued as one
            transaction (one commit for many writes), while raw connections commit one by one and wait
            for each other's write lock.
            """);
        return report.ToString();
    }

    private static string Row(Op op, int roles, string client, Result result, Result raw) =>
        string.Create(CultureInfo.InvariantCulture, $"| {op.ToString().ToLowerInvariant()} | {roles} | {client} | {result.OpsPerSecond:N0} | {Micro(result.P50)} | {Micro(result.P99)} | {(ReferenceEquals(result, raw) ? "baseline" : $"{result.OpsPerSecond / raw.OpsPerSecond:P0}")} |");

    private static string Micro(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMicroseconds:N0} µs");

    private static async Task<Result> StoreAsync(string path, Op op, int roles, int perRole, CancellationToken cancellationToken)
    {
        await using var service = new RoleStoreService(path, 64L * 1024 * 1024, TimeProvider.System, NullLogger<RoleStoreService>.Instance);
        service.Open();
        var scopes = Enumerable.Range(0, roles)
            .Select(i => new RoleStore(service, $"role{i}", new EventContext("console", "ann", DateTimeOffset.UtcNow, "bench"), null, cancellationToken).User)
            .ToList();
        foreach (var scope in scopes)
        {
            await scope.SetAsync("notes", Value, cancellationToken).ConfigureAwait(false);
        }

        return await MeasureAsync(roles, perRole, role => op switch
        {
            Op.Get => scopes[role].GetAsync<List<string>>("notes", cancellationToken),
            Op.Set => scopes[role].SetAsync("notes", Value, cancellationToken),
            _ => scopes[role].UpdateAsync<List<string>>("notes", notes => notes ?? [], cancellationToken),
        }).ConfigureAwait(false);
    }

    private static async Task<Result> RawAsync(string path, Op op, int roles, int perRole, CancellationToken cancellationToken)
    {
        var connections = new List<SqliteConnection>();
        try
        {
            for (var i = 0; i < roles; i++)
            {
                var connection = new SqliteConnection($"Data Source={path};Pooling=false;Default Timeout=30");
                connection.Open();
                Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);");
                Execute(connection, $"INSERT OR REPLACE INTO kv VALUES ('role{i}', '{JsonSerializer.Serialize(Value, Json)}')");
                connections.Add(connection);
            }

            return await MeasureAsync(roles, perRole, role => Task.Run(() => RawOp(connections[role], $"role{role}", op), cancellationToken)).ConfigureAwait(false);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static void RawOp(SqliteConnection connection, string key, Op op)
    {
        switch (op)
        {
            case Op.Get:
                _ = JsonSerializer.Deserialize<List<string>>(Read(connection, key), Json);
                break;
            case Op.Set:
                Write(connection, key, JsonSerializer.Serialize(Value, Json), null);
                break;
            default:
                using (var transaction = connection.BeginTransaction(deferred: false))
                {
                    var notes = JsonSerializer.Deserialize<List<string>>(Read(connection, key, transaction), Json) ?? [];
                    Write(connection, key, JsonSerializer.Serialize(notes, Json), transaction);
                    transaction.Commit();
                }

                break;
        }
    }

    private static string Read(SqliteConnection connection, string key, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value FROM kv WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return (string)command.ExecuteScalar()!;
    }

    private static void Write(SqliteConnection connection, string key, string json, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT OR REPLACE INTO kv VALUES ($key, $value)";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", json);
        command.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // Each role runs its ops one after another (awaiting each, as a handler does); roles run at once.
    private static async Task<Result> MeasureAsync(int roles, int perRole, Func<int, Task> op)
    {
        for (var i = 0; i < Math.Min(200, perRole); i++)
        {
            await op(0).ConfigureAwait(false);
        }

        var latencies = new double[roles * perRole];
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, roles).Select(role => Task.Run(async () =>
        {
            for (var i = 0; i < perRole; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await op(role).ConfigureAwait(false);
                latencies[(role * perRole) + i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            }
        }))).ConfigureAwait(false);
        total.Stop();
        Array.Sort(latencies);
        return new Result(
            latencies.Length / total.Elapsed.TotalSeconds,
            TimeSpan.FromMicroseconds(latencies[latencies.Length / 2]),
            TimeSpan.FromMicroseconds(latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))]));
    }

    private sealed record Result(double OpsPerSecond, TimeSpan P50, TimeSpan P99);
}
