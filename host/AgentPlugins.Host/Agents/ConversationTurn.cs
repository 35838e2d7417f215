namespace AgentPlugins.Host.Agents;

/// <summary>One exchange of a conversation: what the user asked, which role answered, and its answer.</summary>
internal sealed record ConversationTurn(DateTimeOffset At, string Role, string Request, string Answer);
