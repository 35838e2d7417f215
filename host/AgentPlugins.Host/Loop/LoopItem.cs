using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Loop;

/// <summary>
/// One thing posted to the loop: a piece of work, or an event for a dispatcher. Events travel inline
/// (a struct in the ingress queue), so publishing allocates no work item of its own; a
/// <see cref="LoopWork"/> converts to an item, so posting work reads <c>loop.PostAsync(work)</c>.
/// </summary>
internal readonly struct LoopItem
{
    private readonly LoopWork? _work;
    private readonly IEventDispatcher? _dispatcher;
    private readonly BusEvent? _event;
    private readonly EventOrigin? _origin;

    private LoopItem(LoopWork? work, IEventDispatcher? dispatcher, BusEvent? busEvent, EventOrigin? origin)
    {
        _work = work;
        _dispatcher = dispatcher;
        _event = busEvent;
        _origin = origin;
    }

    public bool IsEmpty => _work is null && _dispatcher is null;

    public static implicit operator LoopItem(LoopWork work) => new(work ?? throw new ArgumentNullException(nameof(work)), null, null, null);

    /// <summary>An event for <paramref name="dispatcher"/> to dispatch on the loop.</summary>
    public static LoopItem Event(IEventDispatcher dispatcher, BusEvent busEvent, EventOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(busEvent);
        ArgumentNullException.ThrowIfNull(origin);
        return new(null, dispatcher, busEvent, origin);
    }

    /// <summary>What to name in a log line when running the item failed.</summary>
    public string Name => _work?.GetType().Name ?? $"event {_event!.Type}";

    /// <summary>Runs the item on the loop.</summary>
    public void Run()
    {
        if (_work is not null)
        {
            _work.Run();
        }
        else
        {
            _dispatcher!.Dispatch(_event!, _origin!);
        }
    }

    /// <summary>The item as a work item of its own (for the loop's unbounded queue of admitted work).</summary>
    public LoopWork AsWork() => _work ?? new EventWork(_dispatcher!, _event!, _origin!);

    private sealed class EventWork(IEventDispatcher dispatcher, BusEvent busEvent, EventOrigin origin) : LoopWork
    {
        public override void Run() => dispatcher.Dispatch(busEvent, origin);
    }
}

/// <summary>Dispatches the events posted to the loop (the bus).</summary>
internal interface IEventDispatcher
{
    void Dispatch(BusEvent busEvent, EventOrigin origin);
}
