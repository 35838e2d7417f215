using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Bus;

/// <summary>
/// Who owns a set of subscriptions: one role generation. Silencing (any state but serving) stops all of them at once;
/// a hold keeps the events they match, in order, until the bus releases them (a new generation
/// waiting for the one it replaces to finish its running work).
/// </summary>
internal sealed class BusSubscriber(string role, GenerationGuard? guard = null)
{
    private List<(BusEvent Event, EventOrigin Origin)>? _held;
    private bool _silenced;

    public string Role { get; } = role;

    /// <summary>The generation's guard: the watchdog's quarantine flag, which also drops the generation's pending continuations.</summary>
    public GenerationGuard Guard { get; } = guard ?? new GenerationGuard(role, string.Empty, string.Empty);

    /// <summary>Set by the owner's lifecycle the moment it stops serving (quarantined, draining, withdrawn); its handlers are skipped.</summary>
    public bool Silenced
    {
        get => Volatile.Read(ref _silenced);
        set => Volatile.Write(ref _silenced, value);
    }

    /// <summary>True while events for this subscriber are kept instead of delivered.</summary>
    public bool IsHeld => _held is not null;

    /// <summary>Events kept so far.</summary>
    public int HeldCount => _held?.Count ?? 0;

    /// <summary>Starts keeping events, after <paramref name="earlier"/> (kept for a generation this one replaced). Call on the loop.</summary>
    public void Hold(IReadOnlyList<(BusEvent Event, EventOrigin Origin)>? earlier = null) => _held = earlier is null ? [] : [.. earlier];

    /// <summary>Ends the hold and hands over what was kept (empty when there was no hold). Call on the loop.</summary>
    public IReadOnlyList<(BusEvent Event, EventOrigin Origin)> TakeHeld()
    {
        var held = _held ?? [];
        _held = null;
        return held;
    }

    // Once per event, however many of the subscriber's handlers it matches.
    internal void Keep(BusEvent busEvent, EventOrigin origin)
    {
        var held = _held!;
        if (held.Count == 0 || !ReferenceEquals(held[^1].Event, busEvent))
        {
            held.Add((busEvent, origin));
        }
    }
}
