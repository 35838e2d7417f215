using AgentPlugins.Host.Storage;
using Microsoft.Data.Sqlite;

namespace AgentPlugins.Host.FrontDoor.Slack;

/// <summary>
/// What Slack sent, kept in the data folder (<c>slack.db</c>) so that neither a retry nor a restart
/// runs a message twice or loses it: an event is recorded before Slack gets its acknowledgement (a
/// retry of it is then a duplicate, also after a restart); a message waits as pending until its
/// request starts (one acknowledged but not yet started when the host stopped runs after the next
/// start); and the conversation and thread it was asked in stay with its request id, so the reply
/// goes back into that thread even when it is delivered after a restart. Rows are kept a day.
/// Thread-safe: each call is a short statement on one connection behind a lock.
/// </summary>
internal sealed class SlackInbox : IDisposable
{
    public static readonly StoreSchema Schema = new("slack inbox", StoreSchema.Family | 0x0006, 1, "events", """
        CREATE TABLE IF NOT EXISTS events (
            event_id TEXT PRIMARY KEY,
            received_ms INTEGER NOT NULL,
            user TEXT NULL,
            channel TEXT NULL,
            thread_ts TEXT NULL,
            text TEXT NULL,
            request_id TEXT NULL
        );
        CREATE INDEX IF NOT EXISTS events_pending ON events(received_ms) WHERE text IS NOT NULL AND request_id IS NULL;
        CREATE UNIQUE INDEX IF NOT EXISTS events_request ON events(request_id) WHERE request_id IS NOT NULL;
        """);

    private static readonly TimeSpan Keep = TimeSpan.FromDays(1);
    private readonly SqliteConnection _connection;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private long _nextPrune;

    private SlackInbox(SqliteConnection connection, TimeProvider clock)
    {
        _connection = connection;
        _clock = clock;
    }

    /// <exception cref="StorageException">The file cannot be used; the message names it and the fix.</exception>
    public static SlackInbox Open(string path, TimeProvider clock) => new(SqliteStoreFile.Open(path, Schema, TimeSpan.FromSeconds(1)), clock);

    /// <summary>
    /// Records <paramref name="eventId"/> and, when it carries one, the message to answer. False when
    /// the event was recorded before (Slack retrying it): nothing to do.
    /// </summary>
    public bool TryAccept(string eventId, SlackMessage? message)
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        bool accepted;
        lock (_gate)
        {
            PruneIfDue(now);
            using var insert = _connection.CreateCommand();
            insert.CommandText = "INSERT OR IGNORE INTO events (event_id, received_ms, user, channel, thread_ts, text) VALUES ($id, $at, $user, $channel, $thread, $text)";
            insert.Parameters.AddWithValue("$id", eventId);
            insert.Parameters.AddWithValue("$at", now);
            insert.Parameters.AddWithValue("$user", (object?)message?.User ?? DBNull.Value);
            insert.Parameters.AddWithValue("$channel", (object?)message?.Channel ?? DBNull.Value);
            insert.Parameters.AddWithValue("$thread", (object?)message?.ThreadTs ?? DBNull.Value);
            insert.Parameters.AddWithValue("$text", (object?)message?.Text ?? DBNull.Value);
            accepted = insert.ExecuteNonQuery() == 1;
        }

        if (accepted && message is not null)
        {
            _arrived.Release();
        }

        return accepted;
    }

    /// <summary>The messages accepted and not yet started, oldest first; waits for new ones until cancelled.</summary>
    public async IAsyncEnumerable<SlackMessage> PendingAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            foreach (var message in ReadPending())
            {
                yield return message;
            }

            await _arrived.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Notes that <paramref name="message"/> runs as request <paramref name="requestId"/>, so it is not started again and its reply finds its thread.</summary>
    public void Started(SlackMessage message, string requestId)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            using var update = _connection.CreateCommand();
            update.CommandText = "UPDATE events SET request_id = $request WHERE event_id = $id";
            update.Parameters.AddWithValue("$request", requestId);
            update.Parameters.AddWithValue("$id", message.EventId);
            update.ExecuteNonQuery();
        }
    }

    /// <summary>The conversation and thread request <paramref name="requestId"/> was asked in, if it came from Slack.</summary>
    public bool TryGetThread(string? requestId, out (string Channel, string ThreadTs) thread)
    {
        thread = default;
        if (requestId is null)
        {
            return false;
        }

        lock (_gate)
        {
            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT channel, thread_ts FROM events WHERE request_id = $request";
            select.Parameters.AddWithValue("$request", requestId);
            using var reader = select.ExecuteReader();
            if (!reader.Read())
            {
                return false;
            }

            thread = (reader.GetString(0), reader.GetString(1));
            return true;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }

        _arrived.Dispose();
    }

    private List<SlackMessage> ReadPending()
    {
        lock (_gate)
        {
            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT event_id, user, channel, thread_ts, text FROM events WHERE text IS NOT NULL AND request_id IS NULL ORDER BY received_ms, rowid";
            using var reader = select.ExecuteReader();
            var pending = new List<SlackMessage>();
            while (reader.Read())
            {
                pending.Add(new SlackMessage(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
            }

            return pending;
        }
    }

    // At most once a minute, on a write that takes the lock anyway: Slack retries within minutes, and
    // replies come within the request timeout, so a day is ample for both.
    private void PruneIfDue(long now)
    {
        if (now < _nextPrune)
        {
            return;
        }

        _nextPrune = now + 60_000;
        using var delete = _connection.CreateCommand();
        delete.CommandText = "DELETE FROM events WHERE received_ms < $before AND (text IS NULL OR request_id IS NOT NULL)";
        delete.Parameters.AddWithValue("$before", now - (long)Keep.TotalMilliseconds);
        delete.ExecuteNonQuery();
    }
}
