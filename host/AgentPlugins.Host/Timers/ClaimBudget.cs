namespace AgentPlugins.Host.Timers;

/// <summary>
/// How many expiries a host on a shared store may hold claimed but not yet dispatched: what it can
/// dispatch in <see cref="WindowMs"/> at its own recent pace. Expiries go through a host's chain one
/// after another, so a host holding more than it gets through in the window makes the last of them
/// late while other hosts sit idle; bounded this way, a slow or busy host (a loaded machine, several
/// hosts on one machine) takes a smaller share and the others claim the rest. The pace is measured
/// only while the host has expiries in flight (its service rate, not the rate timers happen to fall
/// due at), over at least <see cref="SampleMs"/> of such time, and smoothed across samples.
/// </summary>
internal sealed class ClaimBudget
{
    /// <summary>The lateness a host's own backlog may add: it holds what it dispatches in this long.</summary>
    public const long WindowMs = 20;

    /// <summary>Busy time one measurement of the pace spans (the clock has millisecond steps).</summary>
    public const long SampleMs = 50;

    /// <summary>The fewest a host may hold, however slow it measured: it still takes part, and claims at most once per half of this (a claim is a round trip and CPU of its own).</summary>
    public const int Least = 16;

    private readonly int _most;
    private long _lastMs = long.MinValue;
    private long _busyMs;
    private int _dispatched;
    private double _perMs = double.NaN;

    /// <param name="most">The most a host holds (before anything is measured, and however fast it is).</param>
    public ClaimBudget(int most)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(most, Least);
        _most = most;
        Limit = most;
    }

    /// <summary>The most this host holds claimed but not yet dispatched, now.</summary>
    public int Limit { get; private set; }

    /// <summary>Expiries dispatched per millisecond while busy, smoothed; NaN until first measured.</summary>
    public double PerMs => _perMs;

    /// <summary>
    /// The worker looked at its dispatch reports at <paramref name="nowMs"/>: <paramref name="dispatched"/>
    /// came in since it last looked, when <paramref name="inFlightBefore"/> expiries were in flight.
    /// </summary>
    public void Observe(long nowMs, int dispatched, int inFlightBefore)
    {
        if (_lastMs != long.MinValue && inFlightBefore > 0 && nowMs > _lastMs)
        {
            _busyMs += nowMs - _lastMs;
        }

        if (inFlightBefore > 0)
        {
            _dispatched += dispatched;
        }

        _lastMs = nowMs;
        if (_busyMs < SampleMs || _dispatched == 0)
        {
            return;
        }

        var sample = _dispatched / (double)_busyMs;
        _perMs = double.IsNaN(_perMs) ? sample : (_perMs + sample) / 2;
        _busyMs = 0;
        _dispatched = 0;
        Limit = (int)Math.Clamp(Math.Ceiling(_perMs * WindowMs), Least, _most);
    }
}
