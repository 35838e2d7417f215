using System.Collections.Concurrent;
using System.Diagnostics;
using AgentPlugins.Host.Channels;

namespace AgentPlugins.Tests.Support;

/// <summary>A channel named <c>sink</c> that keeps the text of every message (for counting by the thousand) and notes when an awaited marker arrives.</summary>
internal sealed class SinkChannel : IChannel
{
    private readonly ConcurrentQueue<string> _texts = new();
    private volatile Awaited? _awaited;

    public string Name => "sink";

    public int Count => _texts.Count;

    public IReadOnlyList<string> Texts => [.. _texts];

    public Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        _texts.Enqueue(message.Text);
        if (_awaited is { } awaited && message.Text.EndsWith(awaited.Suffix, StringComparison.Ordinal))
        {
            awaited.Arrived.TrySetResult(Stopwatch.GetTimestamp());
        }

        return Task.CompletedTask;
    }

    /// <summary>Completes with the <see cref="Stopwatch"/> timestamp of the first message ending in ":<paramref name="marker"/>".</summary>
    public Task<long> Await(string marker)
    {
        var awaited = new Awaited(":" + marker);
        _awaited = awaited;
        return awaited.Arrived.Task;
    }

    /// <summary>The marker of the last message for <paramref name="seq"/>, or null.</summary>
    public string? MarkerOf(string seq) =>
        _texts.Reverse().FirstOrDefault(t => t.StartsWith(seq + ":", StringComparison.Ordinal))?[(seq.Length + 1)..];

    private sealed record Awaited(string Suffix)
    {
        public TaskCompletionSource<long> Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
