using AgentPlugins.Host.Channels;

namespace AgentPlugins.Bench.Agents;

/// <summary>A console channel that counts what it is sent and shows nothing, so printing is not measured.</summary>
internal sealed class DiscardChannel : IChannel
{
    private long _sent;

    public string Name => "console";

    public long Sent => Interlocked.Read(ref _sent);

    public Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sent);
        return Task.CompletedTask;
    }
}
