using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Timers;

/// <summary>
/// What the timer service's worker is asked to do. Commands come from the loop, the clock and the
/// host; the worker carries them out in arrival order, a batch per transaction.
/// </summary>
internal abstract record TimerCommand;

/// <summary>Store a timer due at <paramref name="DueAtMs"/> unless the user is at the limit.</summary>
internal sealed record ScheduleTimer(TimerRequest Request, string Label, long DueAtMs) : TimerCommand
{
    public TaskCompletionSource<ScheduleResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal sealed record CancelTimer(string IdOrLabel, string? User) : TimerCommand
{
    public TaskCompletionSource<bool> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal sealed record ListTimers(string? User, string Channel) : TimerCommand
{
    public TaskCompletionSource<IReadOnlyList<TimerInfo>> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The loop dispatched timer <paramref name="Id"/>'s expiry; <paramref name="Heard"/> when a handler got it.</summary>
internal sealed record ExpiryDispatched(long Id, bool Heard) : TimerCommand;

/// <summary>An effect of a timer delivery was carried out; <see cref="Recorded"/> completes once that is durable (see <see cref="ExpiryEffects"/>).</summary>
internal sealed record EffectCarried(string Delivery, string Effect) : TimerCommand
{
    public TaskCompletionSource Recorded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A role was loaded: expiries nobody heard are delivered again.</summary>
internal sealed record RedeliverUnheard : TimerCommand
{
    public static RedeliverUnheard Instance { get; } = new();
}

/// <summary>Another host sharing the store scheduled or released a timer due at <paramref name="DueAtMs"/> (<see cref="long.MinValue"/>: look again).</summary>
internal sealed record DueElsewhere(long DueAtMs) : TimerCommand;

/// <summary>The clock timer rang: fire what is due.</summary>
internal sealed record Wake : TimerCommand
{
    public static Wake Instance { get; } = new();
}

/// <summary>Completes once every command posted before it has been carried out and its expiries posted to the loop.</summary>
internal sealed record Flush : TimerCommand
{
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
