namespace AgentPlugins.Host.Hosting;

/// <summary>What a running host says about itself in the data folder, for <c>host roles</c>.</summary>
/// <param name="ProcessId">The host process; a reader checks it is still alive.</param>
/// <param name="ProcessStartedAt">When that process started, so a reused process id is not mistaken for the host.</param>
/// <param name="UpdatedAt">When this was written.</param>
/// <param name="RolesFolder">The folder the host watches.</param>
/// <param name="Roles">One entry per role file.</param>
/// <param name="Unloaded">Retired generations verified gone from memory.</param>
/// <param name="Leaked">Retired generations still in memory after every verification pass.</param>
internal sealed record HostStatus(
    int ProcessId,
    DateTimeOffset ProcessStartedAt,
    DateTimeOffset UpdatedAt,
    string RolesFolder,
    IReadOnlyList<HostRoleStatus> Roles,
    long Unloaded,
    long Leaked);

/// <summary>One role file as <c>host roles</c> shows it.</summary>
/// <param name="Path">The role file.</param>
/// <param name="Name">The role's name, once a generation loaded.</param>
/// <param name="State">active, failed, quarantined or retired.</param>
/// <param name="Generation">The generation that serves (0 when none).</param>
/// <param name="LoadedAt">When it became active.</param>
/// <param name="LastErrors">Why the latest load failed or why it is quarantined, as <c>path(line,col): error CODE: message</c>.</param>
/// <param name="GenerationsInMemory">Generations of this file still in memory: the active one plus retired ones not yet collected or leaked.</param>
/// <param name="Leaked">Retired generations of this file that leaked.</param>
internal sealed record HostRoleStatus(
    string Path,
    string? Name,
    string State,
    int Generation,
    DateTimeOffset? LoadedAt,
    IReadOnlyList<string> LastErrors,
    int GenerationsInMemory,
    int Leaked);
