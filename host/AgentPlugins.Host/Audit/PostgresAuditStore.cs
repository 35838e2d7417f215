using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Storage.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace AgentPlugins.Host.Audit;

/// <summary>
/// The audit log in the PostgreSQL database the hosts share: one table, each record with the host
/// that wrote it, appended in batches (one round trip each) by the log's writer. The writer keeps one
/// connection open: renting one from the pool per batch cost a pooled connection's reset statement
/// with every batch (about one per timer expiry under load).
/// </summary>
internal sealed class PostgresAuditStore(PostgresDatabase database, HostIdentity host) : IAuditStore
{
    // The log's one writer calls Write, one call at a time; reads take pooled connections of their own.
    private NpgsqlConnection? _writer;

    /// <summary>The audit table.</summary>
    public static readonly PostgresComponent Schema = new("audit",
    [
        """
        CREATE TABLE audit_records (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at timestamptz NOT NULL,
            producer text NOT NULL,
            action text NOT NULL,
            details text NOT NULL,
            "user" text NULL,
            host text NOT NULL);
        CREATE INDEX audit_records_at ON audit_records (at);
        """,
    ]);

    public string Path => database.Name;

    /// <summary>Retention of audit records on the shared database, oldest first: 90 days, 64 MB by default (as in SQLite).</summary>
    public static IRetentionTarget Retention(PostgresDatabase database) => new PostgresRetentionTarget(
        "audit",
        database,
        new RetentionPolicy { MaxAge = TimeSpan.FromDays(90), MaxMegabytes = 64 },
        "DELETE FROM audit_records WHERE id IN (SELECT id FROM audit_records WHERE at < $1 ORDER BY id LIMIT $2)",
        "DELETE FROM audit_records WHERE id IN (SELECT id FROM audit_records ORDER BY id LIMIT $1)",
        cutoff => cutoff.UtcDateTime,
        ["audit_records"]);

    public Task OpenAsync(CancellationToken cancellationToken) => PostgresSchema.MigrateAsync(database, Schema, host.Id, cancellationToken);

    public void Write(IReadOnlyList<AuditRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        try
        {
            // One statement for the batch: the columns as arrays, unnested in order (ids follow the records' order).
            using var command = new NpgsqlCommand("""
                INSERT INTO audit_records (at, producer, action, details, "user", host)
                SELECT at, producer, action, details, "user", $6 FROM unnest($1, $2, $3, $4, $5) WITH ORDINALITY AS r(at, producer, action, details, "user", n) ORDER BY n
                """, Writer());
            command.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. records.Select(r => r.At.UtcDateTime)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. records.Select(r => r.Producer)] });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. records.Select(r => r.Action)] });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. records.Select(r => r.Details)] });
            command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. records.Select(r => r.User)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = host.Id });
            command.ExecuteNonQuery();
        }
        catch (NpgsqlException ex)
        {
            // The next try starts on a fresh connection (this one may be broken: the server restarted, the network cut).
            CloseWriter();
            throw PostgresErrors.Explain(Path, $"write {records.Count} audit record(s)", ex);
        }
    }

    public IReadOnlyList<AuditRecord> ReadLatest(int count)
    {
        try
        {
            using var command = database.DataSource.CreateCommand("""SELECT at, producer, action, details, "user" FROM audit_records ORDER BY id DESC LIMIT $1""");
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
            using var reader = command.ExecuteReader();
            var records = new List<AuditRecord>();
            while (reader.Read())
            {
                records.Add(new AuditRecord(
                    new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4)));
            }

            records.Reverse();
            return records;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Explain(Path, "read the audit log", ex);
        }
    }

    /// <summary>Returns the writer's connection; the database is the host's to close (<see cref="PostgresDatabase"/>).</summary>
    public void Dispose() => CloseWriter();

    private NpgsqlConnection Writer()
    {
        if (_writer is { State: System.Data.ConnectionState.Open })
        {
            return _writer;
        }

        CloseWriter();
        _writer = database.Open("write the audit log");
        return _writer;
    }

    private void CloseWriter()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
