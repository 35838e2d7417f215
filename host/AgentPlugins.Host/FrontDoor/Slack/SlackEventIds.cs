using System.Collections.Concurrent;

namespace AgentPlugins.Host.FrontDoor.Slack;

/// <summary>
/// The <c>event_id</c>s seen lately: Slack retries an event it thinks went unanswered, and each must
/// run once. Kept for an hour (Slack retries within minutes), at most 100,000.
/// </summary>
internal sealed class SlackEventIds(TimeProvider clock)
{
    private const int Max = 100_000;
    private static readonly TimeSpan Keep = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Id, DateTimeOffset At)> _order = new();

    /// <summary>True the first time <paramref name="eventId"/> is seen.</summary>
    public bool TryClaim(string eventId)
    {
        var now = clock.GetUtcNow();
        while (_order.TryPeek(out var oldest) && (now - oldest.At > Keep || _order.Count > Max) && _order.TryDequeue(out var gone))
        {
            _seen.TryRemove(gone.Id, out _);
        }

        if (!_seen.TryAdd(eventId, now))
        {
            return false;
        }

        _order.Enqueue((eventId, now));
        return true;
    }
}
