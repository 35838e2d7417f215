using AgentPlugins.Sdk;

namespace AgentPlugins.Testing;

// Everything the role's calls did to the host's services, kept for the test; thread-safe.
internal sealed class HarnessRecorders
{
    private readonly List<SentNotification> _notifications = [];
    private readonly List<BusEvent> _published = [];
    private readonly List<LogEntry> _log = [];
    private readonly Lock _gate = new();

    public HarnessRecorders() => Logger = new RecordingLogger(_log, _gate);

    public RecordingLogger Logger { get; }

    public IReadOnlyList<SentNotification> Notifications => Copy(_notifications);

    public IReadOnlyList<BusEvent> Published => Copy(_published);

    public IReadOnlyList<LogEntry> Log => Copy(_log);

    public void Notify(SentNotification notification)
    {
        lock (_gate)
        {
            _notifications.Add(notification);
        }
    }

    public void Publish(BusEvent busEvent)
    {
        lock (_gate)
        {
            _published.Add(busEvent);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _notifications.Clear();
            _published.Clear();
            _log.Clear();
        }
    }

    private List<T> Copy<T>(List<T> list)
    {
        lock (_gate)
        {
            return [.. list];
        }
    }
}
