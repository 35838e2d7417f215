namespace AgentPlugins.Host.Channels;

/// <summary>A way to reach users: the console, HTTP, a webhook. Replies and notifications go out through it.</summary>
internal interface IChannel
{
    /// <summary>The name intents and requests use for it (<c>console</c>).</summary>
    string Name { get; }

    Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken);
}
