using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Intents;

/// <summary>Who produced an intent (a role, or <c>host</c>) and the event or request it answered.</summary>
internal sealed record IntentOrigin(string Producer, EventContext Context);
