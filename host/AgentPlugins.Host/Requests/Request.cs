namespace AgentPlugins.Host.Requests;

/// <summary>Something a user asked, on a channel: a direct command (<c>/timer set_timer 5m tea</c>) or free text.</summary>
internal sealed record Request(string Text, string Channel, string? User);
