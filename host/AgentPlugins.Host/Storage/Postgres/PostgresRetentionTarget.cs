using Npgsql;

namespace AgentPlugins.Host.Storage.Postgres;

/// <summary>
/// Retention for tables in the shared PostgreSQL database. <paramref name="olderThan"/> deletes one
/// batch (<c>$1</c> the cutoff in the column's form, <c>$2</c> the limit), <paramref name="oldest"/> one
/// batch regardless of age (<c>$1</c> the limit). Every host runs it; deletes of the same rows simply
/// find them gone. Each call uses a pooled connection of its own.
/// </summary>
internal sealed class PostgresRetentionTarget(
    string name,
    PostgresDatabase database,
    RetentionPolicy defaults,
    string olderThan,
    string oldest,
    Func<DateTimeOffset, object> cutoffValue,
    IReadOnlyList<string> tables) : IRetentionTarget
{
    public string Name { get; } = name;

    public RetentionPolicy Defaults { get; } = defaults;

    public int PruneOlderThan(DateTimeOffset cutoff, int limit) =>
        Run("prune old records", olderThan, cutoffValue(cutoff), limit);

    public int PruneOldest(int limit) => Run("prune the oldest records", oldest, limit);

    /// <summary>The tables' size on disk with their indexes and TOAST (what the database holds for them, free space within included).</summary>
    public long DataBytes()
    {
        try
        {
            using var size = database.DataSource.CreateCommand("SELECT coalesce(sum(pg_total_relation_size(to_regclass(t))), 0)::bigint FROM unnest($1::text[]) AS t");
            size.Parameters.Add(new NpgsqlParameter { Value = tables.ToArray() });
            return (long)size.ExecuteScalar()!;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw PostgresErrors.Explain(database.Name, $"measure the {Name} tables", ex);
        }
    }

    /// <summary>
    /// Nothing to do from the host: PostgreSQL's autovacuum makes deleted rows' space reusable, and
    /// giving it back to the file system (VACUUM FULL) locks the table for every host; that is the database administrator's call.
    /// </summary>
    public void Compact()
    {
    }

    private int Run(string doing, string sql, params object[] values)
    {
        try
        {
            using var command = database.DataSource.CreateCommand(sql);
            foreach (var value in values)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            return command.ExecuteNonQuery();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw PostgresErrors.Explain(database.Name, $"{doing} of {Name}", ex);
        }
    }
}
