using System.Globalization;
using AgentPlugins.Sdk;

namespace AgentPlugins.Testing;

/// <summary>
/// The host's timers as a test sees them: every timer an intent handler sets is recorded with an id
/// (<c>t1</c>, <c>t2</c>, never reused) and a due time from the harness clock, listed and cancelled
/// like the host's, and never fires by itself: raise <see cref="Events.TimerExpired"/> with
/// <see cref="ExpiryOf"/> to play an expiry. <see cref="RefuseNext"/> scripts a refusal (a limit reached).
/// </summary>
public sealed class RecordingTimers : ITimerService
{
    private readonly TimeProvider _clock;
    private readonly TimeZoneInfo _zone;
    private readonly List<TimerInfo> _pending = [];
    private readonly List<TimerRequest> _requests = [];
    private readonly List<string> _cancelled = [];
    private readonly Queue<string> _refusals = new();
    private readonly Dictionary<string, string> _payloads = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _next;

    public RecordingTimers(TimeProvider clock, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(zone);
        _clock = clock;
        _zone = zone;
    }

    /// <summary>Every request to set a timer, refused ones included, in order.</summary>
    public IReadOnlyList<TimerRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The timers set and not cancelled, soonest first.</summary>
    public IReadOnlyList<TimerInfo> Pending
    {
        get
        {
            lock (_gate)
            {
                return [.. _pending.OrderBy(t => t.DueAt)];
            }
        }
    }

    /// <summary>The ids of the timers cancelled, in order.</summary>
    public IReadOnlyList<string> Cancelled
    {
        get
        {
            lock (_gate)
            {
                return [.. _cancelled];
            }
        }
    }

    /// <summary>The next request is refused with <paramref name="reason"/>, as the host refuses one over its limits.</summary>
    public void RefuseNext(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        lock (_gate)
        {
            _refusals.Enqueue(reason);
        }
    }

    public Task<ScheduleResult> ScheduleAsync(TimerRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _requests.Add(request);
            if (_refusals.TryDequeue(out var reason))
            {
                return Task.FromResult(ScheduleResult.Refused(reason));
            }

            var timer = new TimerInfo($"t{++_next}", string.IsNullOrWhiteSpace(request.Label) ? "timer" : request.Label, DueAt(request.Due), request.User, request.Channel, request.FollowUp, request.Owner);
            _pending.Add(timer);
            if (request.Payload is not null)
            {
                _payloads[timer.Id] = request.Payload;
            }

            return Task.FromResult(ScheduleResult.Set(timer));
        }
    }

    public Task<bool> CancelAsync(string idOrLabel, string? user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idOrLabel);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var timer = _pending.FirstOrDefault(t => t.User == user && string.Equals(t.Id, idOrLabel, StringComparison.OrdinalIgnoreCase))
                ?? _pending.Where(t => t.User == user && string.Equals(t.Label, idOrLabel, StringComparison.OrdinalIgnoreCase)).OrderBy(t => t.DueAt).FirstOrDefault();
            if (timer is null)
            {
                return Task.FromResult(false);
            }

            _pending.Remove(timer);
            _cancelled.Add(timer.Id);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<TimerInfo>> ListAsync(string? user, string channel, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<TimerInfo> list = [.. _pending.Where(t => t.User == user && t.Channel == channel).OrderBy(t => t.DueAt)];
            return Task.FromResult(list);
        }
    }

    /// <summary>
    /// The <see cref="Events.TimerExpired"/> event the host publishes when <paramref name="timer"/> comes
    /// due, with the same data keys (<see cref="TimerData"/>: the owner and payload a role's own timer
    /// carries included); it also leaves <see cref="Pending"/>.
    /// </summary>
    /// <param name="lateBy">How late the host fired it (default: on time).</param>
    public BusEvent ExpiryOf(TimerInfo timer, TimeSpan lateBy = default)
    {
        ArgumentNullException.ThrowIfNull(timer);
        string? payload;
        lock (_gate)
        {
            _pending.RemoveAll(t => t.Id == timer.Id);
            payload = _payloads.GetValueOrDefault(timer.Id);
        }

        var data = new Dictionary<string, string>
        {
            [TimerData.Id] = timer.Id,
            [TimerData.Label] = timer.Label,
            [TimerData.Channel] = timer.Channel,
            [TimerData.DueAt] = timer.DueAt.ToString("O", CultureInfo.InvariantCulture),
            [TimerData.LateByMs] = ((long)Math.Max(0, lateBy.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture),
        };
        if (timer.User is not null)
        {
            data[TimerData.User] = timer.User;
        }

        if (timer.FollowUp is not null)
        {
            data[TimerData.FollowUp] = timer.FollowUp;
        }

        if (timer.Owner is not null)
        {
            data[TimerData.Owner] = timer.Owner;
        }

        if (payload is not null)
        {
            data[TimerData.Payload] = payload;
        }

        return new BusEvent(Events.TimerExpired, data);
    }

    private DateTimeOffset DueAt(TimerDue due)
    {
        var now = TimeZoneInfo.ConvertTime(_clock.GetUtcNow(), _zone);
        if (due.After is { } after)
        {
            return now + after;
        }

        // The next time the clock shows it, in the host's time zone.
        var today = new DateTimeOffset(now.Date + due.At!.Value.ToTimeSpan(), now.Offset);
        return today > now ? today : today.AddDays(1);
    }
}
