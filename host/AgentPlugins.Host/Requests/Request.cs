namespace AgentPlugins.Host.Requests;

/// <summary>Something a user asked, on a channel: a direct command (<c>/timer set_timer 5m tea</c>) or free text.</summary>
internal sealed record Request(string Text, string Channel, string? User)
{
    /// <summary>
    /// The role the request is addressed to, when the caller chose one (the OpenAI-compatible
    /// <c>agentplugins/ROLE</c> model): one of its tool commands runs directly, anything else goes to
    /// that role's agent without asking the router.
    /// </summary>
    public string? Role { get; init; }
}
