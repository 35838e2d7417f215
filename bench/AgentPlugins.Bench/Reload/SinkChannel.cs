using System.Diagnostics;
using AgentPlugins.Host.Channels;

namespace AgentPlugins.Bench.Reload;

/// <summary>A channel named <c>sink</c> that notes when the first message with an awaited marker arrives.</summary>
internal sealed class SinkChannel : IChannel
{
    private volatile Awaited? _awaited;

    public string Name => "sink";

    /// <summary>Completes with the <see cref="Stopwatch"/> timestamp of the first message ending in ":<paramref name="marker"/>".</summary>
    public Task<long> Await(string marker)
    {
        var awaited = new Awaited(":" + marker);
        _awaited = awaited;
        return awaited.Arrived.Task;
    }

    public Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        if (_awaited is { } awaited && message.Text.EndsWith(awaited.Suffix, StringComparison.Ordinal))
        {
            awaited.Arrived.TrySetResult(Stopwatch.GetTimestamp());
        }

        return Task.CompletedTask;
    }

    private sealed record Awaited(string Suffix)
    {
        public TaskCompletionSource<long> Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
