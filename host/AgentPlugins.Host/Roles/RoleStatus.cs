using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Host.Roles;

/// <summary>What the host shows about one role file, or one role of a compiled plugin.</summary>
/// <param name="Path">The role file.</param>
/// <param name="Name">The role's name, once a generation has loaded.</param>
/// <param name="State">Active, failed, quarantined or retired.</param>
/// <param name="Generation">The number of the generation that serves (0 when none has).</param>
/// <param name="LoadedAt">When that generation became active.</param>
/// <param name="LastErrors">Why the latest load failed, or why the role was quarantined.</param>
/// <param name="ContentHash">The hash of the content last tried for this file, loaded or not; a save with the same hash changes nothing.</param>
internal sealed record RoleStatus(
    string Path,
    string? Name,
    RoleState State,
    int Generation,
    DateTimeOffset? LoadedAt,
    IReadOnlyList<RoleDiagnostic> LastErrors,
    string ContentHash = "")
{
    /// <summary>The compiled plugin this role came from (<see cref="Path"/> is then <c>PLUGIN#Type</c>), or null for a role file.</summary>
    public string? Plugin => PluginRoles.PluginOf(Path);
}
