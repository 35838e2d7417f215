using System.Globalization;
using AgentPlugins.Host.Bus;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Timers;

/// <summary>
/// Host-owned timers kept in memory: one clock timer armed for the earliest due time (no polling),
/// re-armed when an earlier timer arrives. At expiry it publishes <see cref="Events.TimerExpired"/>.
/// Timers belong to the host, so reloading or deleting the role that set one loses nothing.
/// </summary>
internal sealed class MemoryTimerService : ITimerService, IDisposable
{
    private readonly TimeProvider _clock;
    private readonly MessageBus _bus;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TimerInfo> _pending = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _queue = new();
    private readonly ITimer _wake;
    private long _next;

    public MemoryTimerService(TimeProvider clock, MessageBus bus)
    {
        _clock = clock;
        _bus = bus;
        _wake = clock.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public Task<TimerInfo> ScheduleAsync(TimerRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Duration, "A timer's duration must be positive.");
        }

        lock (_gate)
        {
            var id = "t" + (++_next).ToString(CultureInfo.InvariantCulture);
            var timer = new TimerInfo(id, request.Label, _clock.GetUtcNow() + request.Duration, request.User, request.Channel, request.FollowUp);
            _pending[id] = timer;
            _queue.Enqueue(id, timer.DueAt);
            Arm();
            return Task.FromResult(timer);
        }
    }

    public Task<bool> CancelAsync(string idOrLabel, string? user, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var timer = _pending.Values
                .Where(t => t.User == user)
                .OrderBy(t => t.DueAt)
                .FirstOrDefault(t => t.Id == idOrLabel || string.Equals(t.Label, idOrLabel, StringComparison.OrdinalIgnoreCase));
            return Task.FromResult(timer is not null && _pending.Remove(timer.Id));
        }
    }

    public Task<IReadOnlyList<TimerInfo>> ListAsync(string? user, string channel, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<TimerInfo> timers = [.. _pending.Values.Where(t => t.User == user && t.Channel == channel).OrderBy(t => t.DueAt)];
            return Task.FromResult(timers);
        }
    }

    public void Dispose() => _wake.Dispose();

    private void Fire()
    {
        var due = new List<TimerInfo>();
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            while (_queue.TryPeek(out var id, out var at) && at <= now)
            {
                _queue.Dequeue();
                if (_pending.Remove(id, out var timer))
                {
                    due.Add(timer);
                }
            }

            Arm();
        }

        foreach (var timer in due)
        {
            var data = new Dictionary<string, string>
            {
                [TimerData.Id] = timer.Id,
                [TimerData.Label] = timer.Label,
                [TimerData.Channel] = timer.Channel,
                [TimerData.DueAt] = timer.DueAt.ToString("O", CultureInfo.InvariantCulture),
                [TimerData.LateByMs] = ((long)(now - timer.DueAt).TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            };
            if (timer.User is not null)
            {
                data[TimerData.User] = timer.User;
            }

            if (timer.FollowUp is not null)
            {
                data[TimerData.FollowUp] = timer.FollowUp;
            }

            var expired = new BusEvent(Events.TimerExpired, data);
            var origin = new EventOrigin("timers", timer.Channel, timer.User);
            if (!_bus.TryPublish(expired, origin))
            {
                // The loop's ingress is full: wait for room rather than lose an expiry.
                _bus.PublishAsync(expired, origin).AsTask().Wait();
            }
        }
    }

    // Caller holds the gate. Cancelled timers stay in the queue until they surface; they are skipped then.
    private void Arm()
    {
        while (_queue.TryPeek(out var id, out _) && !_pending.ContainsKey(id))
        {
            _queue.Dequeue();
        }

        if (!_queue.TryPeek(out _, out var dueAt))
        {
            _wake.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var delay = dueAt - _clock.GetUtcNow();
        _wake.Change(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
    }
}
