using System.Collections.Concurrent;
using AgentPlugins.Host.Channels;

namespace AgentPlugins.Tests.Reload;

/// <summary>A channel named <c>sink</c> that keeps the text of every message, for counting by the thousand.</summary>
internal sealed class SinkChannel : IChannel
{
    private readonly ConcurrentQueue<string> _texts = new();

    public string Name => "sink";

    public int Count => _texts.Count;

    public IReadOnlyList<string> Texts => [.. _texts];

    public Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        _texts.Enqueue(message.Text);
        return Task.CompletedTask;
    }

    /// <summary>The marker of the last message for <paramref name="seq"/>, or null.</summary>
    public string? MarkerOf(string seq) =>
        _texts.Reverse().FirstOrDefault(t => t.StartsWith(seq + ":", StringComparison.Ordinal))?[(seq.Length + 1)..];
}
