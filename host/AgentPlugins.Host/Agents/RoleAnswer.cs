using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Agents;

/// <summary>What one role run produced: its answer (or why it has none) and its tools' intents.</summary>
internal sealed record RoleAnswer(bool Success, string Text, IReadOnlyList<Intent> Intents);
