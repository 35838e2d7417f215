using System.Threading.Channels;

namespace AgentPlugins.Host.Notifications;

/// <summary>
/// A live reader of one user's messages on one channel. Bounded: a reader that falls too far behind
/// is cut off (<see cref="Overflowed"/>) and catches up from the outbox when it reconnects.
/// </summary>
internal sealed class OutboxSubscription : IDisposable
{
    private const int Capacity = 1024;

    private readonly Channel<StoredNotification> _queue = System.Threading.Channels.Channel.CreateBounded<StoredNotification>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly Action<OutboxSubscription> _unsubscribe;

    internal OutboxSubscription(string channel, string user, Action<OutboxSubscription> unsubscribe)
    {
        Channel = channel;
        User = user;
        _unsubscribe = unsubscribe;
    }

    public string Channel { get; }

    public string User { get; }

    /// <summary>True when the reader fell behind and was cut off.</summary>
    public bool Overflowed { get; private set; }

    public ChannelReader<StoredNotification> Reader => _queue.Reader;

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _unsubscribe(this);
    }

    internal void Deliver(StoredNotification notification)
    {
        if (!_queue.Writer.TryWrite(notification))
        {
            Overflowed = true;
            _queue.Writer.TryComplete();
        }
    }

    internal void Close() => _queue.Writer.TryComplete();
}
