using System.Globalization;

namespace AgentPlugins.Host.Storage.Postgres;

/// <summary>
/// This host's name among the hosts sharing a database: <c>storage:hostId</c>, else machine name,
/// process id, start time (UTC) and a random tag (two runtimes in one process, as tests have, differ),
/// so a restarted host is a new one and never mistakes an old claim for its own. Written with each
/// timer claim and status row.
/// </summary>
internal sealed record HostIdentity(string Id)
{
    public static HostIdentity Create(string? configured) =>
        new(string.IsNullOrWhiteSpace(configured)
            ? string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}-{DateTime.UtcNow:yyyyMMddTHHmmssfffZ}-{Random.Shared.Next(0x10000):x4}")
            : configured.Trim());

    public override string ToString() => Id;
}
