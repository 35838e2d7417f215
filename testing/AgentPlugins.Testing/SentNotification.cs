using AgentPlugins.Sdk;

namespace AgentPlugins.Testing;

/// <summary>A message an intent handler sent with <c>NotifyAsync</c>, and to whom.</summary>
public sealed record SentNotification(string Message, Priority Priority, string Channel, string? User);
