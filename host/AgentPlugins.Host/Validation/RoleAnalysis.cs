using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Host.Validation;

/// <summary>What the per-file rules found in one role file, and the facts the folder rules need from it.</summary>
internal sealed record RoleAnalysis(IReadOnlyList<RoleDiagnostic> Diagnostics, RoleFacts Facts);
