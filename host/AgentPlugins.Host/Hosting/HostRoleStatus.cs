namespace AgentPlugins.Host.Hosting;

/// <summary>One role file as <c>host roles</c> shows it.</summary>
/// <param name="Path">The role file.</param>
/// <param name="Name">The role's name, once a generation loaded.</param>
/// <param name="State">active, failed, quarantined or retired.</param>
/// <param name="Generation">The generation that serves (0 when none).</param>
/// <param name="LoadedAt">When it became active.</param>
/// <param name="LastErrors">Why the latest load failed or why it is quarantined, as <c>path(line,col): error CODE: message</c>.</param>
/// <param name="GenerationsInMemory">Generations of this file still in memory: the active one plus retired ones not yet collected or leaked.</param>
/// <param name="Leaked">Retired generations of this file that leaked.</param>
/// <param name="Plugin">The compiled plugin the role came from (then <paramref name="Path"/> is <c>PLUGIN#Type</c>); absent for a role file.</param>
internal sealed record HostRoleStatus(
    string Path,
    string? Name,
    string State,
    int Generation,
    DateTimeOffset? LoadedAt,
    IReadOnlyList<string> LastErrors,
    int GenerationsInMemory,
    int Leaked,
    string? Plugin = null);
