using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Storage.Postgres;
using Npgsql;

namespace AgentPlugins.Host.Store;

/// <summary>
/// Retention of the role store in PostgreSQL through <c>store_prune</c>, which keeps each role's usage
/// (its quota) exact and takes its locks in the order writers do. Every host runs it; a second run finds
/// the rows gone.
/// </summary>
internal sealed class PostgresStoreRetention(PostgresDatabase database) : IRetentionTarget
{
    public string Name => "store";

    public RetentionPolicy Defaults { get; } = new() { MaxAge = TimeSpan.Zero, MaxMegabytes = 0 };

    public int PruneOlderThan(DateTimeOffset cutoff, int limit) => Prune("prune keys not written since " + cutoff.ToString("O", System.Globalization.CultureInfo.InvariantCulture), cutoff.ToUnixTimeMilliseconds(), limit);

    public int PruneOldest(int limit) => Prune("prune the oldest keys", null, limit);

    public long DataBytes() => Scalar("measure the store tables", "SELECT (pg_total_relation_size('store_entries') + pg_total_relation_size('store_usage'))::bigint");

    /// <summary>Autovacuum makes deleted rows' space reusable; giving it back to the file system is the administrator's call.</summary>
    public void Compact()
    {
    }

    private int Prune(string doing, long? cutoff, int limit) =>
        (int)Scalar(doing, "SELECT store_prune($1, $2)::bigint", new NpgsqlParameter<long?> { TypedValue = cutoff, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint }, new NpgsqlParameter<int> { TypedValue = limit });

    private long Scalar(string doing, string sql, params NpgsqlParameter[] parameters)
    {
        try
        {
            using var command = database.DataSource.CreateCommand(sql);
            command.Parameters.AddRange(parameters);
            return (long)command.ExecuteScalar()!;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw PostgresErrors.Explain(database.Name, $"{doing} of the role store", ex);
        }
    }
}
