namespace AgentPlugins.Host.Intents;

/// <summary>What the intent processor has done so far.</summary>
/// <param name="Processed">Intents carried out.</param>
/// <param name="Failed">Intents refused (invalid, no route) or whose handler failed.</param>
/// <param name="Errors">Error intents reported by roles and the host.</param>
/// <param name="RecentFailures">The latest failure messages, newest last.</param>
internal sealed record IntentStats(long Processed, long Failed, long Errors, IReadOnlyList<string> RecentFailures);
