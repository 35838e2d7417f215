using AgentPlugins.Host.Intents;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Timers;

/// <summary>
/// De-duplicates what a timer expiry does when it is delivered again after a crash. Each effect of a
/// delivery (the n-th notification to a recipient, the n-th follow-up workflow) gets a key; once it
/// has been carried out the key is recorded durably, and a re-delivery of the same timer (same
/// delivery id) skips it. Role handlers are deterministic over the event, so a re-delivery yields the
/// same effects in the same order. Used only on the loop.
/// </summary>
/// <remarks>
/// A notification cannot be un-sent, so its record is written just after it. Effects are carried out
/// one after another, each only once the previous one's record is durable: whenever the process dies,
/// at most one effect is carried out but not recorded, so a crash repeats at most one effect, across
/// all timers due at that instant. The first effect runs at once; later ones wait for a commit.
/// A delivery's report (which marks the timer fired) may go out as soon as its last effect's record
/// is queued: the store writes in order, so the fired mark lands in the same commit as that record
/// (one commit per expiry, not two) or a later one, never before it.
/// </remarks>
internal sealed class ExpiryEffects(Func<string, string, Task> record, ILogger log) : IIntentStep
{
    // Effects already carried out, per delivery still in flight (loaded at start for `firing` timers).
    private readonly Dictionary<string, HashSet<string>> _done = new(StringComparer.Ordinal);

    // Per delivery being dispatched now: how many effects of each kind it produced so far.
    private readonly Dictionary<string, Dictionary<string, int>> _counts = new(StringComparer.Ordinal);

    // Per delivery being dispatched now: completes once its latest effect is carried out and its record queued (or it failed).
    private readonly Dictionary<string, Task> _queued = new(StringComparer.Ordinal);

    // Completes when every effect started so far is carried out and its record written (or failed); never faults.
    private Task _tail = Task.CompletedTask;
    private bool _recordFailing;
    private long _suppressed;

    /// <summary>Effects skipped because an earlier delivery of the same timer had already carried them out.</summary>
    public long Suppressed => Interlocked.Read(ref _suppressed);

    public void Load(IEnumerable<(string Delivery, string Effect)> done)
    {
        foreach (var (delivery, effect) in done)
        {
            DoneFor(delivery).Add(effect);
        }
    }

    /// <summary>A delivery of <paramref name="delivery"/> starts: effects are counted from zero.</summary>
    public void Begin(string delivery) => _counts[delivery] = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>
    /// The delivery was dispatched; when <paramref name="settled"/> (it reached a handler) nothing of it
    /// is kept. The task completes, on the loop, once its effects are carried out and their records
    /// queued for the store: a report of the delivery sent from then on is written with or after those
    /// records, so the timer is never marked fired while an effect of it is unrecorded.
    /// </summary>
    public Task End(string delivery, bool settled)
    {
        _counts.Remove(delivery);
        if (settled)
        {
            _done.Remove(delivery);
        }

        return _queued.Remove(delivery, out var queued) ? queued : Task.CompletedTask;
    }

    /// <summary>
    /// Carries out a host intent at most once per delivery id when it answers a timer delivery
    /// (notifications, per recipient, and follow-up workflows, each counted in order); anything else
    /// passes straight through.
    /// </summary>
    public Task InvokeAsync(Intent intent, IntentOrigin origin, IntentRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return origin?.Answering?.DeliveryId is { } delivery && _counts.TryGetValue(delivery, out var counts) && EffectOf(intent) is { } effect
            ? Once(route, intent, origin, delivery, Key(counts, effect))
            : route.Handle(intent, origin!);
    }

    // The kind of effect an intent has; the n-th of a kind within one delivery is one key.
    private static string? EffectOf(Intent intent) => intent switch
    {
        NotificationIntent notification => $"notify:{notification.Channel}:{notification.User}",
        WorkflowIntent => "workflow",
        _ => null,
    };

    private static string Key(Dictionary<string, int> counts, string effect)
    {
        var n = counts[effect] = counts.GetValueOrDefault(effect) + 1;
        return $"{effect}#{n}";
    }

    private Task Once(IntentRoute route, Intent intent, IntentOrigin origin, string delivery, string key)
    {
        if (_done.TryGetValue(delivery, out var done) && done.Contains(key))
        {
            Interlocked.Increment(ref _suppressed);
            log.LogInformation("Timer {Timer} delivered again after a restart: {Effect} was already carried out, skipped.", delivery, key);
            return Task.CompletedTask;
        }

        var carried = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Continuations run at once, on the loop: the delivery's report is queued right behind the record.
        var queued = new TaskCompletionSource();
        _queued[delivery] = queued.Task;
        _tail = CarryAsync(_tail, route, intent, origin, delivery, key, carried, queued);
        return carried.Task;
    }

    // Runs synchronously up to the record when nothing is waiting, so the first effect goes out at once.
    private async Task CarryAsync(Task previous, IntentRoute route, Intent intent, IntentOrigin origin, string delivery, string key, TaskCompletionSource carried, TaskCompletionSource queued)
    {
        if (!previous.IsCompleted)
        {
            // Back on the loop (its synchronization context) once the previous effect's record is durable.
            await previous.ConfigureAwait(true);
        }

        try
        {
            await route.Handle(intent, origin).ConfigureAwait(true);
        }
        catch (Exception ex)
        {
            // Not carried out: nothing to record; the intent processor reports the failure.
            carried.TrySetException(ex);
            queued.TrySetResult();
            return;
        }

        carried.TrySetResult();
        if (_counts.ContainsKey(delivery))
        {
            DoneFor(delivery).Add(key);
        }

        try
        {
            Task recorded;
            try
            {
                recorded = record(delivery, key);
            }
            finally
            {
                queued.TrySetResult();
            }

            await recorded.ConfigureAwait(true);
            if (_recordFailing)
            {
                _recordFailing = false;
                log.LogInformation("Timer effects are recorded again.");
            }
        }
        catch (Exception ex)
        {
            // Logged once per failing spell: a crash before the store recovers may repeat these effects.
            if (!_recordFailing)
            {
                _recordFailing = true;
                log.LogError("Could not record that {Effect} of timer {Timer} was carried out ({Message}); until the timer store recovers, a crash may repeat such effects.", key, delivery, ex.Message);
            }
        }
    }

    private HashSet<string> DoneFor(string delivery)
    {
        if (!_done.TryGetValue(delivery, out var done))
        {
            done = new HashSet<string>(StringComparer.Ordinal);
            _done[delivery] = done;
        }

        return done;
    }
}
