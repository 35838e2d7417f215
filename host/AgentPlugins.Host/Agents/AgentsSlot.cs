
namespace AgentPlugins.Host.Agents;

/// <summary>The agent dispatcher when plugins.json configures a model, or none: DI cannot hold a null service.</summary>
internal sealed record AgentsSlot(AgentDispatcher? Agents);
