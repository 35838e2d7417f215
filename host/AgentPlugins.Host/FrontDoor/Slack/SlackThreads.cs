using System.Collections.Concurrent;

namespace AgentPlugins.Host.FrontDoor.Slack;

/// <summary>
/// Where each Slack request was asked (conversation and thread), by request id, so its reply,
/// carried from the outbox, goes back into that thread. Kept for the latest 10,000 requests; a reply
/// whose thread is no longer known (after a restart) goes to the user directly.
/// </summary>
internal sealed class SlackThreads
{
    private const int Max = 10_000;
    private readonly ConcurrentDictionary<string, (string Channel, string ThreadTs)> _threads = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public void Remember(string requestId, string channel, string threadTs)
    {
        _threads[requestId] = (channel, threadTs);
        _order.Enqueue(requestId);
        while (_order.Count > Max && _order.TryDequeue(out var gone))
        {
            _threads.TryRemove(gone, out _);
        }
    }

    public bool TryGet(string? requestId, out (string Channel, string ThreadTs) thread)
    {
        thread = default;
        return requestId is not null && _threads.TryGetValue(requestId, out thread);
    }
}
