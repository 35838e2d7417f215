using System.Globalization;
using AgentPlugins.Host.Storage;
using Microsoft.Data.Sqlite;

namespace AgentPlugins.Host.Audit;

/// <summary>The audit log's SQLite file: one table, rows appended in batches, pruned by retention.</summary>
internal sealed class SqliteAuditStore(string path) : IAuditStore
{
    public static readonly StoreSchema Schema = new("audit log", StoreSchema.Family | 0x0002, 1, "audit", """
        CREATE TABLE IF NOT EXISTS audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            producer TEXT NOT NULL,
            action TEXT NOT NULL,
            details TEXT NOT NULL,
            user TEXT NULL);
        """);

    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(1);
    private SqliteConnection? _writer;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>Retention of audit records, oldest (lowest id) first: 90 days, 64 MB by default.</summary>
    public static IRetentionTarget Retention(string path) => new SqliteRetentionTarget(
        "audit",
        path,
        new RetentionPolicy { MaxAge = TimeSpan.FromDays(90), MaxMegabytes = 64 },
        "DELETE FROM audit WHERE id IN (SELECT id FROM audit ORDER BY id LIMIT $limit) AND at < $cutoff",
        "DELETE FROM audit WHERE id IN (SELECT id FROM audit ORDER BY id LIMIT $limit)",
        cutoff => cutoff.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));

    /// <summary>Opens (creating it if new) the file; refuses a damaged, foreign or newer one.</summary>
    public void Open() => _writer = SqliteStoreFile.Open(Path, Schema, BusyTimeout);

    public Task OpenAsync(CancellationToken cancellationToken)
    {
        Open();
        return Task.CompletedTask;
    }

    public void Write(IReadOnlyList<AuditRecord> records)
    {
        var connection = _writer ?? throw new InvalidOperationException("The audit store is not open.");
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO audit (at, producer, action, details, user) VALUES ($at, $producer, $action, $details, $user)";
        var at = command.Parameters.Add("$at", SqliteType.Text);
        var producer = command.Parameters.Add("$producer", SqliteType.Text);
        var action = command.Parameters.Add("$action", SqliteType.Text);
        var details = command.Parameters.Add("$details", SqliteType.Text);
        var user = command.Parameters.Add("$user", SqliteType.Text);
        foreach (var record in records)
        {
            at.Value = record.At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
            producer.Value = record.Producer;
            action.Value = record.Action;
            details.Value = record.Details;
            user.Value = (object?)record.User ?? DBNull.Value;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public IReadOnlyList<AuditRecord> ReadLatest(int count)
    {
        using var connection = new SqliteConnection(SqliteStoreFile.ConnectionString(Path, BusyTimeout));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT at, producer, action, details, user FROM audit ORDER BY id DESC LIMIT $n";
        command.Parameters.AddWithValue("$n", count);
        using var reader = command.ExecuteReader();
        var records = new List<AuditRecord>();
        while (reader.Read())
        {
            records.Add(new AuditRecord(
                DateTimeOffset.Parse(reader.GetString(0), CultureInfo.InvariantCulture),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        records.Reverse();
        return records;
    }

    public void Dispose() => _writer?.Dispose();
}
