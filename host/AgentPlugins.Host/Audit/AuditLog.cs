using System.Threading.Channels;
using AgentPlugins.Host.Intents;
using AgentPlugins.Sdk;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Audit;

/// <summary>
/// The durable audit log: an embedded SQLite file. Records are queued on the loop and written in
/// batches by one writer off the loop, so a slow disk never holds the loop.
/// </summary>
internal sealed class AuditLog : IAsyncDisposable
{
    private readonly Channel<AuditRecord> _queue = Channel.CreateUnbounded<AuditRecord>(new() { SingleReader = true });
    private readonly string _connectionString;
    private const int MaxErrorDetails = 4096;

    private readonly ILogger _log;
    private Task? _writer;

    public AuditLog(string databasePath, ILogger<AuditLog> log)
    {
        Path = databasePath;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString();
        _log = log;
    }

    public string Path { get; }

    /// <summary>
    /// The host's routes for <see cref="AuditIntent"/> (appended) and <see cref="ErrorIntent"/> (logged
    /// and appended as an <c>error</c> record).
    /// </summary>
    public void RouteAudits(IntentProcessor intents)
    {
        ArgumentNullException.ThrowIfNull(intents);
        intents.RouteHost(typeof(AuditIntent), new IntentRoute("audit", "append", (intent, origin) =>
        {
            var audit = (AuditIntent)intent;
            Append(new AuditRecord(intent.CreatedAt, origin.Producer, audit.Action, audit.Details, audit.User));
            return Task.CompletedTask;
        }));
        intents.RouteHost(typeof(ErrorIntent), new IntentRoute("errors", "report", (intent, origin) =>
        {
            var error = (ErrorIntent)intent;
            _log.LogError("Error from {Source}: {Message}", error.Source, error.Message);

            // The details (a stack trace naming the role file and line) are what a user needs to fix it; kept, but bounded.
            var details = error.Details is { Length: > 0 } trace ? $"{Environment.NewLine}{(trace.Length > MaxErrorDetails ? trace[..MaxErrorDetails] : trace)}" : string.Empty;
            Append(new AuditRecord(intent.CreatedAt, origin.Producer, "error", $"{error.Source}: {error.Message}{details}", origin.Context.User));
            return Task.CompletedTask;
        }));
    }

    /// <summary>Creates the file and table if needed and starts the writer.</summary>
    public void Open()
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        using (var connection = Connect())
        {
            Execute(connection, """
                PRAGMA journal_mode=WAL;
                CREATE TABLE IF NOT EXISTS audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    producer TEXT NOT NULL,
                    action TEXT NOT NULL,
                    details TEXT NOT NULL,
                    user TEXT NULL);
                """);
        }

        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Queues a record; it is on disk shortly after, and before <see cref="DisposeAsync"/> returns.</summary>
    public void Append(AuditRecord record)
    {
        if (!_queue.Writer.TryWrite(record))
        {
            throw new InvalidOperationException("The audit log is closed.");
        }
    }

    /// <summary>The newest records, newest last.</summary>
    public IReadOnlyList<AuditRecord> ReadLatest(int count)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT at, producer, action, details, user FROM audit ORDER BY id DESC LIMIT $n";
        command.Parameters.AddWithValue("$n", count);
        using var reader = command.ExecuteReader();
        var records = new List<AuditRecord>();
        while (reader.Read())
        {
            records.Add(new AuditRecord(
                DateTimeOffset.Parse(reader.GetString(0), System.Globalization.CultureInfo.InvariantCulture),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        records.Reverse();
        return records;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private async Task WriteAsync()
    {
        using var connection = Connect();
        var batch = new List<AuditRecord>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < 1000 && _queue.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            try
            {
                Insert(connection, batch);
            }
            catch (SqliteException ex)
            {
                _log.LogError(ex, "Could not write {Count} audit records to {Path}.", batch.Count, Path);
            }

            batch.Clear();
        }
    }

    private static void Insert(SqliteConnection connection, List<AuditRecord> batch)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO audit (at, producer, action, details, user) VALUES ($at, $producer, $action, $details, $user)";
        var at = command.Parameters.Add("$at", SqliteType.Text);
        var producer = command.Parameters.Add("$producer", SqliteType.Text);
        var action = command.Parameters.Add("$action", SqliteType.Text);
        var details = command.Parameters.Add("$details", SqliteType.Text);
        var user = command.Parameters.Add("$user", SqliteType.Text);
        foreach (var record in batch)
        {
            at.Value = record.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            producer.Value = record.Producer;
            action.Value = record.Action;
            details.Value = record.Details;
            user.Value = (object?)record.User ?? DBNull.Value;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
