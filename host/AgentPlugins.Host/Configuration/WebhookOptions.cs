namespace AgentPlugins.Host.Configuration;

/// <summary>One entry of plugins.json <c>channels:webhooks</c>: where a user's notifications are POSTed.</summary>
internal sealed record WebhookOptions
{
    /// <summary>Names the webhook in logs and in its delivery cursor; unique.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The receiver's address.</summary>
    public string Url { get; init; } = string.Empty;

    /// <summary>Whose notifications go there; empty: everyone's.</summary>
    public List<string> Users { get; init; } = [];

    /// <summary>The environment variable holding the HMAC-SHA256 secret the body is signed with.</summary>
    public string SecretVariable { get; init; } = string.Empty;
}
