using System.Globalization;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Timers;

/// <summary>
/// One timer's expiry, run on the loop: dispatches <see cref="Events.TimerExpired"/> (counting the
/// effects it leads to, see <see cref="ExpiryEffects"/>) and reports whether any handler heard it.
/// The timer's id is the delivery id, the same on every delivery of that timer.
/// </summary>
internal sealed class TimerExpiry : LoopWork
{
    private readonly MessageBus _bus;
    private readonly ExpiryEffects _effects;
    private readonly Action<bool> _dispatched;
    private readonly BusEvent _event;
    private readonly EventOrigin _origin;
    private readonly string? _owner;

    public TimerExpiry(StoredTimer timer, long nowMs, TimeZoneInfo zone, MessageBus bus, ExpiryEffects effects, Action<bool> dispatched)
    {
        _bus = bus;
        _effects = effects;
        _dispatched = dispatched;
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [TimerData.Id] = timer.Name,
            [TimerData.Label] = timer.Label,
            [TimerData.Channel] = timer.Channel,
            [TimerData.DueAt] = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(timer.DueAtMs), zone).ToString("O", CultureInfo.InvariantCulture),
            [TimerData.LateByMs] = Math.Max(0, nowMs - timer.DueAtMs).ToString(CultureInfo.InvariantCulture),
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

        if (timer.Payload is not null)
        {
            data[TimerData.Payload] = timer.Payload;
        }

        _owner = timer.Owner;

        _event = new BusEvent(Events.TimerExpired, data);
        _origin = new EventOrigin("timers", timer.Channel, timer.User) { DeliveryId = timer.Name };
    }

    public override void Run()
    {
        var delivery = _origin.DeliveryId!;
        var heard = false;
        _effects.Begin(delivery);
        try
        {
            // An owned timer's expiry goes to its role only; while that role is absent nobody hears it, so it waits.
            heard = _bus.DeliverNow(_event, _origin, _owner) > 0;
        }
        finally
        {
            // Reported (and the timer marked fired) only once its effects are carried out and their records queued ahead of the report.
            var settled = _effects.End(delivery, heard);
            if (settled.IsCompleted)
            {
                _dispatched(heard);
            }
            else
            {
                var report = _dispatched;
                settled.ContinueWith(_ => report(heard), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }
}
