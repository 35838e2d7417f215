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
/// The record is written just after the effect (a notification cannot be un-sent), so a crash in the
/// milliseconds between the two can still repeat that one effect; everything before it is skipped.
/// </remarks>
internal sealed class ExpiryEffects(Action<string, string> record, ILogger log) : IIntentStep
{
    // Effects already carried out, per delivery still in flight (loaded at start for `firing` timers).
    private readonly Dictionary<string, HashSet<string>> _done = new(StringComparer.Ordinal);

    // Per delivery being dispatched now: how many effects of each kind it produced so far.
    private readonly Dictionary<string, Dictionary<string, int>> _counts = new(StringComparer.Ordinal);
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

    /// <summary>The delivery was dispatched; when <paramref name="settled"/> (it reached a handler) nothing of it is kept.</summary>
    public void End(string delivery, bool settled)
    {
        _counts.Remove(delivery);
        if (settled)
        {
            _done.Remove(delivery);
        }
    }

    /// <summary>
    /// Carries out a host intent at most once per delivery id when it answers a timer delivery
    /// (notifications, per recipient, and follow-up workflows, each counted in order); anything else
    /// passes straight through.
    /// </summary>
    public Task InvokeAsync(Intent intent, IntentOrigin origin, IntentRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return origin?.DeliveryId is { } delivery && _counts.TryGetValue(delivery, out var counts) && EffectOf(intent) is { } effect
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

        var task = route.Handle(intent, origin);
        if (task.IsCompletedSuccessfully)
        {
            Carried(delivery, key);
            return task;
        }

        return RecordWhenDone(task, delivery, key);
    }

    private async Task RecordWhenDone(Task task, string delivery, string key)
    {
        await task.ConfigureAwait(true);
        Carried(delivery, key);
    }

    private void Carried(string delivery, string key)
    {
        if (_counts.ContainsKey(delivery))
        {
            DoneFor(delivery).Add(key);
        }

        record(delivery, key);
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
