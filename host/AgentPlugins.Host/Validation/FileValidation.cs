using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Host.Validation;

/// <summary>What validation found in one role file: compiler and rule diagnostics, in line order.</summary>
internal sealed record FileValidation(string Path, IReadOnlyList<RoleDiagnostic> Diagnostics);
