using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Host.Roles;

/// <summary>What applying a role file did. Exactly one of the cases below.</summary>
internal abstract record ApplyOutcome(string Path)
{
    /// <summary>Errors (empty when the file serves).</summary>
    public virtual IReadOnlyList<RoleDiagnostic> Diagnostics => [];

    /// <summary>A new generation serves.</summary>
    public sealed record Loaded(string Path, string Role, int Generation) : ApplyOutcome(Path);

    /// <summary>The content is what already serves (or already failed); nothing was done.</summary>
    public sealed record Unchanged(string Path) : ApplyOutcome(Path);

    /// <summary>Compiling, the checks, or <c>Register</c> failed; whatever served before keeps serving.</summary>
    public sealed record KeptOld(string Path, IReadOnlyList<RoleDiagnostic> Errors, int? ServingGeneration) : ApplyOutcome(Path)
    {
        public override IReadOnlyList<RoleDiagnostic> Diagnostics => Errors;
    }

    /// <summary>The role is fine but may not serve now (its name is taken, it is quarantined); whatever served keeps serving.</summary>
    public sealed record Refused(string Path, RefusalReason Reason, IReadOnlyList<RoleDiagnostic> Errors) : ApplyOutcome(Path)
    {
        public override IReadOnlyList<RoleDiagnostic> Diagnostics => Errors;
    }
}
