using AgentPlugins.Host.Storage;

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
    long Leaked,
    IReadOnlyList<DataFileSize>? DataFiles = null);
