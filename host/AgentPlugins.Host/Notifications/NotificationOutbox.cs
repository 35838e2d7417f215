using System.Collections.Concurrent;
using AgentPlugins.Host.Configuration;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Notifications;

/// <summary>
/// The durable outbox: every reply and notification for a user of an HTTP-fed channel is written with
/// an increasing id before anyone reads it. Live readers (SSE streams) get it once it is committed;
/// reconnecting readers, webhooks and Slack read what they missed by id. Kept within
/// <c>http:outbox:maxAge</c> and <c>http:outbox:maxCount</c>. <see cref="SqliteNotificationOutbox"/>
/// keeps it in the data folder for one host; <see cref="PostgresNotificationOutbox"/> in the database
/// several hosts share, where a message written on one host reaches readers connected to any other.
/// </summary>
internal abstract class NotificationOutbox : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Channel, string User), ImmutableSubscribers> _subscribers = new();
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastId;
    private int _closed;

    /// <summary>The file or database, as named in every error.</summary>
    public abstract string Path { get; }

    /// <summary>The id of the last message committed (that this host has seen, on a shared database).</summary>
    public long LastId => Interlocked.Read(ref _lastId);

    /// <summary>False once disposed.</summary>
    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>Opens (creating it if needed) the SQLite outbox at <paramref name="path"/> and starts its writer.</summary>
    /// <exception cref="Storage.StorageException">The file cannot be opened, is damaged or is not an outbox; the message names it and the fix.</exception>
    public static NotificationOutbox Open(string path, OutboxOptions options, TimeProvider clock, ILogger<NotificationOutbox> log) =>
        SqliteNotificationOutbox.OpenFile(path, options, clock, log);

    /// <summary>Writes a message for <paramref name="user"/> on <paramref name="channel"/>; completes once it is committed, with it as stored.</summary>
    public abstract Task<StoredNotification> AppendAsync(string channel, string user, string kind, string text, string priority, string? requestId = null);

    /// <summary>
    /// Queues a message like <see cref="AppendAsync"/> without anyone waiting for its commit (a reply the
    /// caller already has): messages are still stored in the order they are handed over, and a failed
    /// commit is logged by the outbox. False when the outbox is closed.
    /// </summary>
    public abstract bool TryAppend(string channel, string user, string kind, string text, string priority, string? requestId = null);

    /// <summary>Messages for <paramref name="user"/> on <paramref name="channel"/> (every user, every channel when null) after <paramref name="afterId"/>, oldest first.</summary>
    public abstract Task<IReadOnlyList<StoredNotification>> ReadAsync(string? channel, string? user, long afterId, int limit, CancellationToken cancellationToken = default);

    /// <summary>The last id a named reader (a webhook) has delivered; 0 when it never delivered.</summary>
    public abstract Task<long> ReadCursorAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Records that <paramref name="name"/> delivered everything up to <paramref name="lastId"/>.</summary>
    public abstract Task SaveCursorAsync(string name, long lastId);

    /// <summary>
    /// Waits until this host may deliver for the named reader (a webhook, Slack) and holds that right
    /// until disposed: of several hosts, one delivers, and another takes over when it stops or dies.
    /// One host alone holds it at once.
    /// </summary>
    public virtual Task<IAsyncDisposable> LeadAsync(string name, CancellationToken cancellationToken) => Task.FromResult<IAsyncDisposable>(NoLease.Instance);

    /// <summary>Starts delivering <paramref name="user"/>'s new messages on <paramref name="channel"/> as they commit.</summary>
    public OutboxSubscription Subscribe(string channel, string user)
    {
        var subscription = new OutboxSubscription(channel, user, Unsubscribe);
        _subscribers.AddOrUpdate((channel, user), _ => new ImmutableSubscribers([subscription]), (_, list) => list.With(subscription));
        if (!IsOpen)
        {
            subscription.Close();
        }

        return subscription;
    }

    /// <summary>Completes once a message with an id above <paramref name="afterId"/> is committed (at once if one is).</summary>
    public Task WaitForAppendAsync(long afterId, CancellationToken cancellationToken)
    {
        var appended = Volatile.Read(ref _appended);
        return LastId > afterId ? Task.CompletedTask : appended.Task.WaitAsync(cancellationToken);
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>Hands a committed message to this host's live readers of its user and channel.</summary>
    /// <summary>Reads notification rows selected as id, channel, user, kind, text, priority, request id, created (Unix ms).</summary>
    protected static async Task<IReadOnlyList<StoredNotification>> ReadRowsAsync(System.Data.Common.DbCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var found = new List<StoredNotification>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(new StoredNotification(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7))));
        }

        return found;
    }

    protected void Deliver(StoredNotification stored)
    {
        if (_subscribers.TryGetValue((stored.Channel, stored.User), out var list))
        {
            foreach (var subscription in list.Items)
            {
                subscription.Deliver(stored);
            }
        }
    }

    /// <summary>Records the id of the last message committed.</summary>
    protected void Committed(long lastId)
    {
        long seen;
        while ((seen = Interlocked.Read(ref _lastId)) < lastId && Interlocked.CompareExchange(ref _lastId, lastId, seen) != seen)
        {
        }
    }

    /// <summary>Wakes whoever waits in <see cref="WaitForAppendAsync"/>.</summary>
    protected void Appended() =>
        Interlocked.Exchange(ref _appended, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Marks the outbox closed; false when it already was.</summary>
    protected bool MarkClosed() => Interlocked.Exchange(ref _closed, 1) == 0;

    /// <summary>Ends every live reader (they reconnect and catch up by id).</summary>
    protected void CloseSubscriptions()
    {
        foreach (var list in _subscribers.Values)
        {
            foreach (var subscription in list.Items)
            {
                subscription.Close();
            }
        }
    }

    private void Unsubscribe(OutboxSubscription subscription)
    {
        var key = (subscription.Channel, subscription.User);
        while (_subscribers.TryGetValue(key, out var list))
        {
            var next = list.Without(subscription);
            if (next.Items.Length == 0
                ? _subscribers.TryRemove(new KeyValuePair<(string, string), ImmutableSubscribers>(key, list))
                : _subscribers.TryUpdate(key, next, list))
            {
                return;
            }
        }
    }

    /// <summary>A copy-on-write list, so delivery reads it without a lock.</summary>
    private sealed record ImmutableSubscribers(OutboxSubscription[] Items)
    {
        public ImmutableSubscribers With(OutboxSubscription item) => new([.. Items, item]);

        public ImmutableSubscribers Without(OutboxSubscription item) => new([.. Items.Where(i => !ReferenceEquals(i, item))]);
    }

    private sealed class NoLease : IAsyncDisposable
    {
        public static readonly NoLease Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
