namespace AgentPlugins.Host.Requests;

/// <summary>The answer to a request.</summary>
internal sealed record Reply(bool Success, string Text);
