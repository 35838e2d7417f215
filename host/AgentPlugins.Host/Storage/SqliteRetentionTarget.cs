using Microsoft.Data.Sqlite;

namespace AgentPlugins.Host.Storage;

/// <summary>
/// Retention for a table in one of the host's SQLite files. <paramref name="olderThan"/> deletes one
/// batch (<c>$cutoff</c>, <c>$limit</c>), <paramref name="oldest"/> one batch regardless of age
/// (<c>$limit</c>); <paramref name="cutoffValue"/> turns the cutoff into the column's form. Opens its
/// own short-lived connection per call, so the store's writer keeps its own.
/// </summary>
internal sealed class SqliteRetentionTarget(
    string name,
    string path,
    RetentionPolicy defaults,
    string olderThan,
    string oldest,
    Func<DateTimeOffset, object> cutoffValue) : IRetentionTarget
{
    // Pages freed per incremental_vacuum step (4 MB at 4 KB pages): bounded work while a writer may wait.
    private const int VacuumPages = 1024;
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(2);

    public string Name { get; } = name;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public RetentionPolicy Defaults { get; } = defaults;

    public int PruneOlderThan(DateTimeOffset cutoff, int limit)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = olderThan;
        command.Parameters.AddWithValue("$cutoff", cutoffValue(cutoff));
        command.Parameters.AddWithValue("$limit", limit);
        return command.ExecuteNonQuery();
    }

    public int PruneOldest(int limit)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = oldest;
        command.Parameters.AddWithValue("$limit", limit);
        return command.ExecuteNonQuery();
    }

    public long DataBytes()
    {
        using var connection = Connect();
        return Scalar(connection, "PRAGMA page_size") * (Scalar(connection, "PRAGMA page_count") - Scalar(connection, "PRAGMA freelist_count"));
    }

    public void Compact()
    {
        using var connection = Connect();
        while (Scalar(connection, "PRAGMA freelist_count") > 0)
        {
            var before = Scalar(connection, "PRAGMA freelist_count");
            Scalar(connection, $"PRAGMA incremental_vacuum({VacuumPages})");
            if (Scalar(connection, "PRAGMA freelist_count") >= before)
            {
                break; // auto_vacuum is off for this file (made by another tool): nothing more to give back this way
            }
        }

        // TRUNCATE: the WAL file goes back to 0 bytes when no reader holds it; otherwise it is reused from the start.
        Scalar(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is long value ? value : 0;
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(SqliteStoreFile.ConnectionString(Path, BusyTimeout));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout={(int)BusyTimeout.TotalMilliseconds}; PRAGMA journal_size_limit={SqliteStoreFile.JournalSizeLimit};";
        command.ExecuteNonQuery();
        return connection;
    }
}
