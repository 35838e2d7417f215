namespace AgentPlugins.Host.Agents;

/// <summary>One step of a plan: a role, what to ask it, and the steps whose results it needs.</summary>
internal sealed record PlanStep(string Id, string Role, string Instruction, IReadOnlyList<string> DependsOn);
