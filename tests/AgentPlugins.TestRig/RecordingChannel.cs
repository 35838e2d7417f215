using System.Collections.Concurrent;
using AgentPlugins.Host.Channels;

namespace AgentPlugins.Tests.Support;

/// <summary>A real channel that keeps what it was sent, so tests can read replies and notifications.</summary>
internal sealed class RecordingChannel(string name = "console") : IChannel, IDisposable
{
    private readonly ConcurrentQueue<OutgoingMessage> _messages = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public string Name { get; } = name;

    public IReadOnlyList<OutgoingMessage> Messages => [.. _messages];

    public void Dispose() => _arrived.Dispose();

    public Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        _messages.Enqueue(message);
        _arrived.Release();
        return Task.CompletedTask;
    }

    /// <summary>Waits until a message matching <paramref name="match"/> has arrived.</summary>
    public async Task<OutgoingMessage> WaitForAsync(Func<OutgoingMessage, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var found = _messages.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
            {
                throw new TimeoutException($"No matching message; got: {string.Join(" | ", _messages.Select(m => m.Text))}");
            }
        }
    }
}
