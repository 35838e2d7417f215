using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Loop;

/// <summary>
/// Notices a role call that holds the loop too long. The loop cannot pre-empt a call, so the
/// watchdog names it (role, handler, time) while it runs and raises <see cref="SlowCall"/> once per
/// call, so the host can quarantine the role.
/// </summary>
internal sealed class LoopWatchdog : IAsyncDisposable
{
    private readonly TimeSpan _threshold;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private ITimer? _timer;
    private string _role = string.Empty;
    private string _handler = string.Empty;
    private long _startedAt;
    private long _call;
    private long _reportedCall;

    public LoopWatchdog(TimeSpan threshold, TimeProvider clock, ILogger log)
    {
        _threshold = threshold;
        _clock = clock;
        _log = log;
    }

    /// <summary>Raised off the loop with (role, handler, elapsed) when a call runs past the threshold.</summary>
    public event Action<string, string, TimeSpan>? SlowCall;

    public void Start()
    {
        var period = TimeSpan.FromTicks(Math.Max(_threshold.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks));
        _timer = _clock.CreateTimer(_ => Check(), null, period, period);
    }

    /// <summary>Marks the start of a role call on the loop.</summary>
    public void Enter(string role, string handler)
    {
        _role = role;
        _handler = handler;
        _call++;
        // TickCount64 costs a couple of nanoseconds; millisecond resolution is all a watchdog needs.
        Volatile.Write(ref _startedAt, Environment.TickCount64);
    }

    /// <summary>Marks the end of the current role call.</summary>
    public void Exit() => Volatile.Write(ref _startedAt, 0);

    public ValueTask DisposeAsync() => _timer?.DisposeAsync() ?? ValueTask.CompletedTask;

    private void Check()
    {
        var started = Volatile.Read(ref _startedAt);
        if (started == 0)
        {
            return;
        }

        var call = Volatile.Read(ref _call);
        var elapsed = TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
        if (elapsed < _threshold || call == _reportedCall)
        {
            return;
        }

        _reportedCall = call;
        var (role, handler) = (_role, _handler);
        _log.LogError(
            "Role {Role} handler {Handler} has held the loop for {Elapsed:F0} ms (limit {Limit:F0} ms); the role is quarantined.",
            role,
            handler,
            elapsed.TotalMilliseconds,
            _threshold.TotalMilliseconds);
        SlowCall?.Invoke(role, handler, elapsed);
    }
}
