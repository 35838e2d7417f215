using System.Globalization;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Loop;

/// <summary>
/// Watches role calls on the loop from a timer of its own, so it works while the loop is stuck. The
/// loop cannot pre-empt a call; the watchdog decides off the loop instead:
/// a call past the soft limit (<see cref="LoopOptions.SlowCallThreshold"/>), or a role whose calls
/// together hold the loop for more than its budget (<see cref="LoopOptions.RoleBudget"/> of
/// <see cref="LoopOptions.BudgetWindow"/>, sampled), has its generation quarantined at once
/// (<see cref="Quarantined"/>); a call past the hard limit is reported as <see cref="Stuck"/>, which
/// the host answers by exiting for its supervisor to restart it.
/// </summary>
internal sealed class LoopWatchdog : IAsyncDisposable
{
    private readonly TimeSpan _threshold;
    private readonly TimeSpan _hardLimit;
    private readonly double _budget;
    private readonly long _windowMs;
    private readonly long _periodMs;
    private readonly TimeProvider _clock;
    private readonly EventLoop _loop;
    private readonly ILogger _log;
    private ITimer? _timer;
    private RoleCall? _current;
    private long _startedAt;
    private long _call;
    private RoleCall? _outer;
    private long _outerStartedAt;
    private long _reportedCall;
    private long _stuckCall;

    // The timer ticks only while role calls happen: an idle host is not woken 20 times a second
    // (each wake of a pool thread costs it a spin). Armed by the first call after a quiet spell,
    // disarmed after two ticks in a row that saw no call (see Check).
    private readonly Lock _arming = new();
    private int _armed;
    private long _lastSeenCall = -1;
    private bool _quiet;

    public LoopWatchdog(LoopOptions options, EventLoop loop, TimeProvider clock, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _threshold = options.SlowCallThreshold;
        _hardLimit = options.EffectiveHardLimit;
        _budget = options.RoleBudget;
        _windowMs = (long)options.BudgetWindow.TotalMilliseconds;
        _periodMs = Math.Clamp((long)(_threshold.TotalMilliseconds / 4), 10, 50);
        _clock = clock;
        _loop = loop;
        _log = log;
    }

    /// <summary>Raised off the loop with (role, handler, elapsed) when a call runs past the soft limit.</summary>
    public event Action<string, string, TimeSpan>? SlowCall;

    /// <summary>Raised off the loop once a generation was quarantined by the watchdog (the call that did it, and why).</summary>
    public event Action<RoleCall, string>? Quarantined;

    /// <summary>Raised off the loop when a call runs past the hard limit: the loop will not come back.</summary>
    public event Action<RoleCall, TimeSpan>? Stuck;

    /// <summary>Where role calls are marked for the crash journal.</summary>
    public CallMarks Marks { get; } = new();

    /// <summary>Finds the serving generation of a role by name, for calls made by role name (tools, prompt hooks).</summary>
    public Func<string, GenerationGuard?>? Guards { get; set; }

    /// <summary>The role call running now, if any (read from any thread; a hint, not a lock).</summary>
    public RoleCall? Current => Volatile.Read(ref _startedAt) == 0 ? null : Volatile.Read(ref _current);

    public void Start() => _timer = _clock.CreateTimer(_ => Check(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    /// <summary>Marks the start of a role call on the loop; its continuations are tagged with it.</summary>
    public void Enter(RoleCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (Volatile.Read(ref _startedAt) != 0)
        {
            // Role code reached other role code synchronously (rare): resume the outer call after.
            _outer = _current;
            _outerStartedAt = _startedAt;
        }

        _current = call;
        _call++;

        // TickCount64 costs a couple of nanoseconds; millisecond resolution is all a watchdog needs.
        var now = Environment.TickCount64;
        Volatile.Write(ref _startedAt, now);
        if (Volatile.Read(ref _armed) == 0)
        {
            Arm();
        }

        Marks.Mark(call);
        SynchronizationContext.SetSynchronizationContext(call.Context ??= new RoleCallContext(_loop, call));
    }

    /// <summary>Marks the start of a call into the serving generation of <paramref name="role"/>, found by name.</summary>
    public void Enter(string role, string handler)
    {
        var guard = Guards?.Invoke(role) ?? new GenerationGuard(role, string.Empty, string.Empty);
        Enter(guard.Call(handler));
    }

    /// <summary>Marks the end of the current role call.</summary>
    public void Exit()
    {
        if (_outer is { } outer)
        {
            _outer = null;
            _current = outer;
            Volatile.Write(ref _startedAt, _outerStartedAt);
            Marks.Mark(outer);
            SynchronizationContext.SetSynchronizationContext(outer.Context ??= new RoleCallContext(_loop, outer));
            return;
        }

        Volatile.Write(ref _startedAt, 0);
        Marks.Clear();
        SynchronizationContext.SetSynchronizationContext(_loop.SynchronizationContext);
    }

    public ValueTask DisposeAsync() => _timer?.DisposeAsync() ?? ValueTask.CompletedTask;

    private void Arm()
    {
        lock (_arming)
        {
            if (_armed == 0 && _timer is not null)
            {
                _quiet = false;
                var period = TimeSpan.FromMilliseconds(_periodMs);
                _timer.Change(period, period);
                Volatile.Write(ref _armed, 1);
            }
        }
    }

    // Disarming takes two quiet ticks (no call since the tick before, none running). The first only
    // publishes "disarmed", so calls starting from then on arm the timer again themselves; the second,
    // a period later, when a call that began just before the first (and so did not see it) is visible
    // by now, stops the timer if still nothing happened. Both under the lock Arm takes.
    private bool Idle(long started)
    {
        var number = Volatile.Read(ref _call);
        if (started != 0 || number != _lastSeenCall)
        {
            _lastSeenCall = number;
            if (_quiet)
            {
                lock (_arming)
                {
                    _quiet = false;
                    Volatile.Write(ref _armed, 1);
                }
            }

            return started == 0;
        }

        lock (_arming)
        {
            if (!_quiet)
            {
                _quiet = true;
                Volatile.Write(ref _armed, 0);
            }
            else if (Volatile.Read(ref _armed) == 0)
            {
                _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        return true;
    }

    private void Check()
    {
        var started = Volatile.Read(ref _startedAt);
        if (Idle(started))
        {
            return;
        }

        var current = Volatile.Read(ref _current);
        var number = Volatile.Read(ref _call);
        var now = Environment.TickCount64;
        if (current is null || Volatile.Read(ref _startedAt) != started)
        {
            return;
        }

        var elapsed = TimeSpan.FromMilliseconds(now - started);
        if (elapsed >= _hardLimit && number != _stuckCall)
        {
            _stuckCall = number;
            Marks.MarkStuck();
            Stuck?.Invoke(current, elapsed);
            return;
        }

        if (elapsed >= _threshold && number != _reportedCall)
        {
            _reportedCall = number;
            var reason = string.Create(
                CultureInfo.InvariantCulture,
                $"Handler {current.Handler} held the loop for {elapsed.TotalMilliseconds:F0} ms (limit {_threshold.TotalMilliseconds:F0} ms).");
            _log.LogError(
                "Role {Role} generation {Generation} handler {Handler} has held the loop for {Elapsed:F0} ms (limit {Limit:F0} ms); the role is quarantined.",
                current.Guard.DisplayName,
                current.Guard.Generation,
                current.Handler,
                elapsed.TotalMilliseconds,
                _threshold.TotalMilliseconds);
            SlowCall?.Invoke(current.Guard.DisplayName, current.Handler, elapsed);
            Quarantine(current, reason);
            return;
        }

        Sample(current.Guard, current, now);
    }

    // Budget: each tick that finds a role call running counts one period against its generation.
    // Sampling costs the loop nothing; a role needs many samples to be judged, so chance cannot.
    private void Sample(GenerationGuard guard, RoleCall current, long now)
    {
        // A generation already quarantined is judged: sampling it again logged its budget every tick
        // (20 lines a second) while its call went on.
        if (_budget >= 1 || _windowMs <= 0 || guard.IsQuarantined)
        {
            return;
        }

        var window = now / _windowMs;
        if (guard.BudgetWindow != window)
        {
            guard.BudgetWindow = window;
            guard.BudgetSamples = 0;
        }

        guard.BudgetSamples++;
        var held = guard.BudgetSamples * _periodMs;
        if (held <= _budget * _windowMs)
        {
            return;
        }

        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"Its calls (last: {current.Handler}) held the loop for about {held} ms of a {_windowMs} ms window (budget {_budget:P0}).");
        _log.LogError("Role {Role} generation {Generation} is over its loop budget: {Reason} The role is quarantined.", guard.DisplayName, guard.Generation, reason);
        Quarantine(current, reason);
    }

    private void Quarantine(RoleCall call, string reason)
    {
        if (call.Guard.TryQuarantine(reason))
        {
            Quarantined?.Invoke(call, reason);
        }
    }
}
