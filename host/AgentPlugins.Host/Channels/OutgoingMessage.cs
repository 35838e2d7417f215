using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Channels;

/// <summary>Text for a user: a reply to a request, or a notification.</summary>
internal sealed record OutgoingMessage(string Text, string? User, Priority Priority, MessageKind Kind);

internal enum MessageKind
{
    Reply,
    Notification,
}
