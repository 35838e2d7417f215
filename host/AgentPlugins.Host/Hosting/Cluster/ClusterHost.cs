namespace AgentPlugins.Host.Hosting.Cluster;

/// <summary>One host of the cluster as the shared database knows it.</summary>
/// <param name="Id">The host's id (<c>storage:hostId</c> or machine, process and start time).</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="HeartbeatAt">When it last wrote itself.</param>
/// <param name="Stale">True when its heartbeat is older than three periods: it may have died.</param>
/// <param name="Roles">What it serves.</param>
/// <param name="Differences">The roles it serves in a version the other live hosts do not, in words.</param>
internal sealed record ClusterHost(
    string Id,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    bool Stale,
    IReadOnlyList<ClusterRole> Roles,
    IReadOnlyList<string> Differences);
