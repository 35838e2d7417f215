using System.Globalization;
using System.Threading.Channels;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Storage.Postgres;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace AgentPlugins.Host.Notifications;

/// <summary>
/// The outbox in the PostgreSQL database several hosts share. A message written on any host reaches
/// the live readers (SSE streams) connected to every host, once and in id order: each host's writer
/// commits its batch under one transaction-level advisory lock, so ids become visible in the order
/// they were given (a reader that saw id n never later finds a smaller one), and sends a NOTIFY with
/// the commit; each host LISTENs on one connection and, woken, reads what follows the last id it
/// delivered. Nothing polls: a host that lost its listening connection reads once after reconnecting.
/// Webhooks and Slack deliver from one host at a time (<see cref="LeadAsync"/>: a session advisory
/// lock, released by PostgreSQL when that host stops or its connection dies).
/// </summary>
internal sealed class PostgresNotificationOutbox : NotificationOutbox
{
    /// <summary>The LISTEN/NOTIFY channel every host's outbox listens on.</summary>
    public const string NotifyChannel = "agentplugins_outbox";

    private const int BatchSize = 256;
    private const int TailPage = 1000;

    // pg_advisory_xact_lock key that orders outbox commits across hosts ("Outbox01" in ASCII).
    private const long CommitLock = 0x4F75_7462_6F78_3031;

    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan FirstReconnect = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestReconnect = TimeSpan.FromSeconds(10);

    private readonly Channel<PendingAppend> _appends = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly PostgresDatabase _database;
    private readonly OutboxOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private Task _writing = Task.CompletedTask;
    private Task _tailing = Task.CompletedTask;
    private Task _listening = Task.CompletedTask;
    private long _tail;
    private DateTimeOffset _lastPrune;

    private PostgresNotificationOutbox(PostgresDatabase database, OutboxOptions options, TimeProvider clock, ILogger log)
    {
        _database = database;
        _options = options;
        _clock = clock;
        _log = log;
    }

    /// <summary>The outbox's tables: the messages and each follower's cursor.</summary>
    public static readonly PostgresComponent Schema = new("outbox",
    [
        """
        CREATE TABLE outbox_notifications (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            channel text NOT NULL,
            "user" text NOT NULL,
            kind text NOT NULL,
            text text NOT NULL,
            priority text NOT NULL,
            request_id text NULL,
            created_at bigint NOT NULL,
            host text NOT NULL);
        CREATE INDEX outbox_notifications_by_user ON outbox_notifications (channel, "user", id);
        CREATE INDEX outbox_notifications_created ON outbox_notifications (created_at);
        CREATE TABLE outbox_cursors (name text PRIMARY KEY, last_id bigint NOT NULL);
        """,
    ]);

    public override string Path => _database.Name;

    private string HostId { get; init; } = string.Empty;

    /// <summary>Migrates the tables, starts listening, then the writer and the reader of what others commit.</summary>
    /// <exception cref="StorageException">The database cannot be reached or holds a newer outbox schema; the message names it.</exception>
    public static async Task<PostgresNotificationOutbox> OpenAsync(PostgresDatabase database, HostIdentity host, OutboxOptions options, TimeProvider clock, ILogger<NotificationOutbox> log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(host);
        await PostgresSchema.MigrateAsync(database, Schema, host.Id, cancellationToken).ConfigureAwait(false);
        var outbox = new PostgresNotificationOutbox(database, options, clock, log) { HostId = host.Id };
        await outbox.StartAsync(cancellationToken).ConfigureAwait(false);
        return outbox;
    }

    public override Task<StoredNotification> AppendAsync(string channel, string user, string kind, string text, string priority, string? requestId = null)
    {
        var pending = new PendingAppend(channel, user, kind, text, priority, requestId, Awaited: true);
        return _appends.Writer.TryWrite(pending)
            ? pending.Done!.Task
            : Task.FromException<StoredNotification>(new ObjectDisposedException(nameof(NotificationOutbox), "The outbox is closed: the host is stopping."));
    }

    public override bool TryAppend(string channel, string user, string kind, string text, string priority, string? requestId = null) =>
        _appends.Writer.TryWrite(new PendingAppend(channel, user, kind, text, priority, requestId, Awaited: false));

    public override async Task<IReadOnlyList<StoredNotification>> ReadAsync(string? channel, string? user, long afterId, int limit, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = _database.DataSource.CreateCommand(
                "SELECT id, channel, \"user\", kind, text, priority, request_id, created_at FROM outbox_notifications WHERE id > $1"
                + (channel is null ? " AND $2::text IS NULL" : " AND channel = $2")
                + (user is null ? " AND $3::text IS NULL" : " AND \"user\" = $3")
                + " ORDER BY id LIMIT $4");
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterId });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)channel ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)user ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            return await ReadRowsAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Explain(Path, "read the notification outbox", ex);
        }
    }

    public override async Task<long> ReadCursorAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = _database.DataSource.CreateCommand("SELECT last_id FROM outbox_cursors WHERE name = $1");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long id ? id : 0;
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Explain(Path, $"read the outbox cursor of {name}", ex);
        }
    }

    public override async Task SaveCursorAsync(string name, long lastId)
    {
        try
        {
            await using var command = _database.DataSource.CreateCommand("""
                INSERT INTO outbox_cursors (name, last_id) VALUES ($1, $2)
                ON CONFLICT (name) DO UPDATE SET last_id = GREATEST(outbox_cursors.last_id, excluded.last_id)
                """);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = lastId });
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Explain(Path, $"save the outbox cursor of {name}", ex);
        }
    }

    /// <summary>Holds a session advisory lock named after the reader on a connection of its own; waits (without polling) while another host holds it.</summary>
    public override async Task<IAsyncDisposable> LeadAsync(string name, CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync($"lead the outbox reader {name}", cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended('agentplugins_outbox:' || $1, 0))", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new Lease(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (!MarkClosed())
        {
            return;
        }

        _appends.Writer.TryComplete();
        await _writing.ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        _wake.Writer.TryComplete();
        await Task.WhenAll(_tailing, _listening).ConfigureAwait(false);
        CloseSubscriptions();
        _stopping.Dispose();
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        // Live readers get what commits from now on; what came before is read by id (Last-Event-ID, cursors).
        await using (var command = _database.DataSource.CreateCommand("SELECT COALESCE(MAX(id), 0) FROM outbox_notifications"))
        {
            try
            {
                _tail = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }
            catch (NpgsqlException ex)
            {
                throw PostgresErrors.Explain(Path, "open the notification outbox", ex);
            }
        }

        Committed(_tail);
        _lastPrune = _clock.GetUtcNow();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _listening = Task.Run(() => ListenAsync(listening), CancellationToken.None);
        await listening.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        _tailing = Task.Run(TailAsync, CancellationToken.None);
        _writing = Task.Run(WriteAsync, CancellationToken.None);
    }

    // One connection LISTENs; a NOTIFY (or a reconnect, after which some may have been missed) wakes the tail.
    private async Task ListenAsync(TaskCompletionSource started)
    {
        var backoff = FirstReconnect;
        var failing = false;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _database.DataSource.OpenConnectionAsync(_stopping.Token).ConfigureAwait(false);
                connection.Notification += (_, _) => _wake.Writer.TryWrite(true);
                await using (var listen = new NpgsqlCommand($"LISTEN {NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(_stopping.Token).ConfigureAwait(false);
                }

                started.TrySetResult();
                _wake.Writer.TryWrite(true);
                if (failing)
                {
                    failing = false;
                    _log.LogInformation("The outbox listens on {Database} again.", Path);
                }

                backoff = FirstReconnect;
                while (true)
                {
                    await connection.WaitAsync(_stopping.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                if (!started.Task.IsCompleted)
                {
                    started.TrySetException(PostgresErrors.Explain(Path, "listen for outbox messages", ex));
                    return;
                }

                if (!failing)
                {
                    failing = true;
                    _log.LogWarning("{Problem} Messages other hosts write reach this host's live readers once it is back.", PostgresErrors.Explain(Path, "listen for outbox messages", ex).Message);
                }

                try
                {
                    await Task.Delay(backoff, _clock, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, LongestReconnect.Ticks));
            }
        }
    }

    // Reads what follows the last id delivered, in id order, and hands it to this host's live readers.
    private async Task TailAsync()
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                try
                {
                    while (true)
                    {
                        var page = await ReadAsync(null, null, _tail, TailPage, _stopping.Token).ConfigureAwait(false);
                        foreach (var message in page)
                        {
                            Deliver(message);
                            _tail = message.Id;
                        }

                        if (page.Count > 0)
                        {
                            Committed(_tail);
                            Appended();
                        }

                        if (page.Count < TailPage)
                        {
                            break;
                        }
                    }
                }
                catch (StorageException ex)
                {
                    // The next NOTIFY, or the listener's reconnect, wakes this again; nothing is skipped (the tail did not move).
                    _log.LogWarning("{Problem}", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task WriteAsync()
    {
        var batch = new List<PendingAppend>(BatchSize);
        while (await _appends.Reader.ReadBatchAsync(batch, BatchSize).ConfigureAwait(false))
        {
            try
            {
                await CommitAsync(batch).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or StorageException)
            {
                var problem = PostgresErrors.Explain(Path, $"write {batch.Count} message(s) to the notification outbox", ex);
                _log.LogError("{Problem} (requests: {Requests})", problem.Message, string.Join(", ", batch.Select(p => p.RequestId).OfType<string>()));
                foreach (var pending in batch)
                {
                    pending.Done?.TrySetException(problem);
                }

                continue;
            }

            // Live readers get them from the tail, in id order with what other hosts wrote.
            _wake.Writer.TryWrite(true);
            foreach (var pending in batch)
            {
                pending.Done?.TrySetResult(pending.Stored!);
            }

            if (_clock.GetUtcNow() - _lastPrune >= PruneInterval)
            {
                await PruneAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task CommitAsync(List<PendingAppend> batch)
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await _database.OpenAsync("write to the notification outbox").ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using (var order = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({CommitLock})", connection, transaction))
        {
            await order.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await using (var insert = new NpgsqlCommand("""
            INSERT INTO outbox_notifications (channel, "user", kind, text, priority, request_id, created_at, host)
            SELECT channel, "user", kind, text, priority, request_id, $7, $8
            FROM unnest($1, $2, $3, $4, $5, $6) WITH ORDINALITY AS m(channel, "user", kind, text, priority, request_id, n)
            ORDER BY n
            RETURNING id
            """, connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. batch.Select(p => p.Channel)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. batch.Select(p => p.User)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. batch.Select(p => p.Kind)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. batch.Select(p => p.Text)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. batch.Select(p => p.Priority)] });
            insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. batch.Select(p => p.RequestId)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = now });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = HostId });
            var ids = new List<long>(batch.Count);
            await using (var reader = await insert.ExecuteReaderAsync().ConfigureAwait(false))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    ids.Add(reader.GetInt64(0));
                }
            }

            // Identity values are handed out in the order of the sorted insert; sort to pair them with the batch.
            ids.Sort();
            for (var i = 0; i < batch.Count; i++)
            {
                var p = batch[i];
                p.Stored = new StoredNotification(ids[i], p.Channel, p.User, p.Kind, p.Text, p.Priority, p.RequestId, DateTimeOffset.FromUnixTimeMilliseconds(now));
            }
        }

        // Delivered with the commit, to every host listening (this one too).
        await using (var notify = new NpgsqlCommand($"SELECT pg_notify('{NotifyChannel}', $1)", connection, transaction))
        {
            notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = batch[^1].Stored!.Id.ToString(CultureInfo.InvariantCulture) });
            await notify.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
    }

    private async Task PruneAsync()
    {
        _lastPrune = _clock.GetUtcNow();
        try
        {
            await using var command = _database.DataSource.CreateCommand(
                "DELETE FROM outbox_notifications WHERE created_at < $1 OR id <= (SELECT COALESCE(MAX(id), 0) FROM outbox_notifications) - $2");
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (_lastPrune - _options.MaxAge).ToUnixTimeMilliseconds() });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _options.MaxCount });
            var removed = await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            if (removed > 0)
            {
                _log.LogDebug("Pruned {Count} message(s) from the outbox.", removed);
            }
        }
        catch (NpgsqlException ex)
        {
            _log.LogWarning("{Problem}", PostgresErrors.Explain(Path, "prune the notification outbox", ex).Message);
        }
    }

    /// <summary>A held lead: unlocked before its connection goes back to the pool (which would keep a session lock).</summary>
    private sealed class Lease(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
                await unlock.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The connection is broken: its session, and the lock with it, ended on the server.
            }

            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed record PendingAppend(string Channel, string User, string Kind, string Text, string Priority, string? RequestId, bool Awaited)
    {
        // Only for a caller that waits: completing it costs a thread-pool hop per message.
        public TaskCompletionSource<StoredNotification>? Done { get; } = Awaited ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;

        public StoredNotification? Stored { get; set; }
    }
}
