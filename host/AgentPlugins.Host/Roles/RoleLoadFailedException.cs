using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Host.Roles;

/// <summary>A role file could not be loaded; <see cref="Diagnostics"/> say where and why.</summary>
internal sealed class RoleLoadFailedException(IReadOnlyList<RoleDiagnostic> diagnostics)
    : Exception(string.Join(Environment.NewLine, diagnostics))
{
    public IReadOnlyList<RoleDiagnostic> Diagnostics { get; } = diagnostics;
}
