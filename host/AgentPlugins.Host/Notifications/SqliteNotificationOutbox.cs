using System.Globalization;
using System.Threading.Channels;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace AgentPlugins.Host.Notifications;

/// <summary>
/// The outbox in SQLite (outbox.db in the data folder), for one host. One writer task owns the write
/// connection and commits appends in batches, so callers on the loop await a commit without ever
/// blocking the loop on disk; live readers get each message as its batch commits.
/// </summary>
internal sealed class SqliteNotificationOutbox : NotificationOutbox
{
    private const int BatchSize = 256;
    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);

    private readonly Channel<PendingAppend> _appends = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection _writer;
    private readonly string _readConnection;
    private readonly OutboxOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly Task _writing;
    private DateTimeOffset _lastPrune;

    /// <summary>The outbox's file: the notifications and each follower's cursor.</summary>
    public static readonly StoreSchema Schema = new("notification outbox", StoreSchema.Family | 0x0004, 1, "notifications", """
        CREATE TABLE IF NOT EXISTS notifications (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            channel TEXT NOT NULL,
            user TEXT NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            priority TEXT NOT NULL,
            request_id TEXT NULL,
            created_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS notifications_by_user ON notifications (channel, user, id);
        CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
        """);

    private SqliteNotificationOutbox(string path, SqliteConnection writer, OutboxOptions options, TimeProvider clock, ILogger log)
    {
        Path = path;
        _writer = writer;
        _readConnection = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = true, DefaultTimeout = 5 }.ToString();
        _options = options;
        _clock = clock;
        _log = log;
        Committed(Scalar("SELECT COALESCE(MAX(id), 0) FROM notifications"));
        _lastPrune = clock.GetUtcNow();
        Prune();
        _writing = Task.Run(WriteAsync, CancellationToken.None);
    }

    /// <summary>The SQLite file.</summary>
    public override string Path { get; }

    /// <summary>Opens (creating it if needed) the outbox at <paramref name="path"/> and starts its writer.</summary>
    /// <exception cref="StorageException">The file cannot be opened, is damaged or is not an outbox; the message names it and the fix.</exception>
    public static SqliteNotificationOutbox OpenFile(string path, OutboxOptions options, TimeProvider clock, ILogger<NotificationOutbox> log)
    {
        // Opened like every data file: application id, schema version and quick_check, WAL, one manifest.
        return new SqliteNotificationOutbox(path, SqliteStoreFile.Open(path, Schema, TimeSpan.FromSeconds(1)), options, clock, log);
    }

    public override Task<StoredNotification> AppendAsync(string channel, string user, string kind, string text, string priority, string? requestId = null)
    {
        var pending = new PendingAppend(channel, user, kind, text, priority, requestId, awaited: true);
        if (!_appends.Writer.TryWrite(pending))
        {
            return Task.FromException<StoredNotification>(new ObjectDisposedException(nameof(NotificationOutbox), "The outbox is closed: the host is stopping."));
        }

        return pending.Done!.Task;
    }

    public override bool TryAppend(string channel, string user, string kind, string text, string priority, string? requestId = null) =>
        _appends.Writer.TryWrite(new PendingAppend(channel, user, kind, text, priority, requestId, awaited: false));

    public override async Task<IReadOnlyList<StoredNotification>> ReadAsync(string? channel, string? user, long afterId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = new SqliteConnection(_readConnection);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, channel, user, kind, text, priority, request_id, created_at FROM notifications WHERE id > $after"
            + (channel is null ? string.Empty : " AND channel = $channel")
            + (user is null ? string.Empty : " AND user = $user")
            + " ORDER BY id LIMIT $limit";
        command.Parameters.AddWithValue("$channel", (object?)channel ?? DBNull.Value);
        command.Parameters.AddWithValue("$user", (object?)user ?? DBNull.Value);
        command.Parameters.AddWithValue("$after", afterId);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadRowsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<long> ReadCursorAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = new SqliteConnection(_readConnection);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT last_id FROM cursors WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long id ? id : 0;
    }

    /// <summary>Records that <paramref name="name"/> delivered everything up to <paramref name="lastId"/>; committed with the appends.</summary>
    public override Task SaveCursorAsync(string name, long lastId)
    {
        var pending = new PendingAppend(name, string.Empty, CursorKind, string.Empty, string.Empty, null, awaited: true) { CursorId = lastId };
        return _appends.Writer.TryWrite(pending)
            ? pending.Done!.Task
            : Task.FromException(new ObjectDisposedException(nameof(NotificationOutbox), "The outbox is closed: the host is stopping."));
    }

    public override async ValueTask DisposeAsync()
    {
        if (!MarkClosed())
        {
            return;
        }

        _appends.Writer.TryComplete();
        await _writing.ConfigureAwait(false);
        CloseSubscriptions();
        await _writer.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
    }

    private const string CursorKind = "\0cursor";

    private async Task WriteAsync()
    {
        var batch = new List<PendingAppend>(BatchSize);
        using var statements = new WriteStatements(_writer);
        while (await _appends.Reader.ReadBatchAsync(batch, BatchSize).ConfigureAwait(false))
        {
            try
            {
                Commit(batch, statements);
            }
            catch (SqliteException ex)
            {
                _log.LogError(ex, "Writing {Count} message(s) to the outbox {Path} failed (requests: {Requests}).", batch.Count, Path, string.Join(", ", batch.Select(p => p.RequestId).OfType<string>()));
                foreach (var pending in batch)
                {
                    pending.Fail(new IOException($"Writing to the notification outbox {Path} failed: {ex.Message}", ex));
                }

                continue;
            }

            foreach (var pending in batch)
            {
                if (pending.Stored is { } stored)
                {
                    Deliver(stored);
                }

                pending.Complete();
            }

            Appended();
            if (_clock.GetUtcNow() - _lastPrune >= PruneInterval)
            {
                Prune();
            }
        }
    }

    private void Commit(List<PendingAppend> batch, WriteStatements statements)
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        using var transaction = _writer.BeginTransaction();
        statements.Enlist(transaction);
        long last = 0;
        foreach (var pending in batch)
        {
            if (pending.Kind == CursorKind)
            {
                statements.SaveCursor(pending.Channel, pending.CursorId);
                continue;
            }

            last = statements.Insert(pending, now);
            pending.Stored = new StoredNotification(last, pending.Channel, pending.User, pending.Kind, pending.Text, pending.Priority, pending.RequestId, DateTimeOffset.FromUnixTimeMilliseconds(now));
        }

        transaction.Commit();
        if (last > 0)
        {
            Committed(last);
        }
    }

    private void Prune()
    {
        _lastPrune = _clock.GetUtcNow();
        using var command = _writer.CreateCommand();
        command.CommandText = "DELETE FROM notifications WHERE created_at < $oldest OR id <= $lastId - $max";
        command.Parameters.AddWithValue("$oldest", (_lastPrune - _options.MaxAge).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$lastId", LastId);
        command.Parameters.AddWithValue("$max", _options.MaxCount);
        var removed = command.ExecuteNonQuery();
        if (removed > 0)
        {
            _log.LogDebug("Pruned {Count} message(s) from the outbox.", removed);
        }
    }

    private long Scalar(string sql)
    {
        using var command = _writer.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The writer's two statements, prepared once and reused by every batch. The insert, run once per
    /// message (every HTTP reply), goes through SQLite's own statement API: Microsoft.Data.Sqlite builds a
    /// binder per parameter and a data reader per execution, most of what an insert allocated. Both run on
    /// the writer connection, inside the batch's transaction.
    /// </summary>
    private sealed class WriteStatements : IDisposable
    {
        private readonly SqliteConnection _writer;
        private readonly sqlite3_stmt _insert;
        private readonly SqliteCommand _cursor;
        private readonly SqliteParameter _cursorName;
        private readonly SqliteParameter _cursorId;

        public WriteStatements(SqliteConnection writer)
        {
            _writer = writer;
            Check(raw.sqlite3_prepare_v2(writer.Handle, "INSERT INTO notifications (channel, user, kind, text, priority, request_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", out _insert));
            _cursor = writer.CreateCommand();
            _cursor.CommandText = "INSERT INTO cursors (name, last_id) VALUES ($name, $id) ON CONFLICT(name) DO UPDATE SET last_id = MAX(last_id, excluded.last_id)";
            _cursorName = _cursor.Parameters.Add("$name", SqliteType.Text);
            _cursorId = _cursor.Parameters.Add("$id", SqliteType.Integer);
        }

        public void Enlist(SqliteTransaction transaction) => _cursor.Transaction = transaction;

        /// <summary>Inserts <paramref name="pending"/>; returns its id.</summary>
        /// <exception cref="SqliteException">SQLite refused the row (full disk, damaged file); the message says why.</exception>
        public long Insert(PendingAppend pending, long at)
        {
            try
            {
                Check(raw.sqlite3_bind_text(_insert, 1, pending.Channel));
                Check(raw.sqlite3_bind_text(_insert, 2, pending.User));
                Check(raw.sqlite3_bind_text(_insert, 3, pending.Kind));
                Check(raw.sqlite3_bind_text(_insert, 4, pending.Text));
                Check(raw.sqlite3_bind_text(_insert, 5, pending.Priority));
                Check(pending.RequestId is { } request ? raw.sqlite3_bind_text(_insert, 6, request) : raw.sqlite3_bind_null(_insert, 6));
                Check(raw.sqlite3_bind_int64(_insert, 7, at));
                Check(raw.sqlite3_step(_insert));
                return raw.sqlite3_last_insert_rowid(_writer.Handle);
            }
            finally
            {
                raw.sqlite3_reset(_insert);
                raw.sqlite3_clear_bindings(_insert);
            }
        }

        public void SaveCursor(string name, long lastId)
        {
            _cursorName.Value = name;
            _cursorId.Value = lastId;
            _cursor.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _insert.Dispose();
            _cursor.Dispose();
        }

        private void Check(int code)
        {
            if (code is not raw.SQLITE_OK and not raw.SQLITE_ROW and not raw.SQLITE_DONE)
            {
                throw new SqliteException($"SQLite Error {code}: '{raw.sqlite3_errmsg(_writer.Handle).utf8_to_string()}'.", code, raw.sqlite3_extended_errcode(_writer.Handle));
            }
        }
    }

    /// <summary>A message handed to the writer; awaited ones complete when their batch commits.</summary>
    private sealed class PendingAppend(string channel, string user, string kind, string text, string priority, string? requestId, bool awaited)
    {
        public string Channel { get; } = channel;

        public string User { get; } = user;

        public string Kind { get; } = kind;

        public string Text { get; } = text;

        public string Priority { get; } = priority;

        public string? RequestId { get; } = requestId;

        public long CursorId { get; init; }

        public StoredNotification? Stored { get; set; }

        // Only for a caller that waits: completing it costs a thread-pool hop per message.
        public TaskCompletionSource<StoredNotification>? Done { get; } = awaited ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;

        public void Complete() => Done?.TrySetResult(Stored ?? new StoredNotification(CursorId, Channel, User, Kind, Text, Priority, RequestId, default));

        public void Fail(Exception ex) => Done?.TrySetException(ex);
    }
}
