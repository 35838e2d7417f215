using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// One step of one role file's life: a generation moved to <paramref name="State"/> (or a save was
/// refused before any generation existed). The one notification the unload verifier, the status
/// file, the console, the timers and the dashboard follow.
/// </summary>
/// <param name="Path">The role file.</param>
/// <param name="Role">The role's name, once known.</param>
/// <param name="Number">The generation's number (0 when it never served).</param>
/// <param name="State">Where it is now.</param>
/// <param name="Diagnostics">Why it was refused or quarantined, or the leak's likely cause; empty otherwise.</param>
internal sealed record GenerationChanged(
    string Path,
    string? Role,
    int Number,
    GenerationState State,
    IReadOnlyList<RoleDiagnostic> Diagnostics)
{
    /// <summary>The generation itself while it is still held (up to <see cref="GenerationState.Withdrawn"/>); null after.</summary>
    public RoleGeneration? Generation { get; init; }

    /// <summary>The compile behind a change caused by a save (serving, refused); null for other changes.</summary>
    public CompileTimings? Compile { get; init; }
}
