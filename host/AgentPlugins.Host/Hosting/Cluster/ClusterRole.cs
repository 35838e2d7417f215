namespace AgentPlugins.Host.Hosting.Cluster;

/// <summary>One role as a host of the cluster serves it.</summary>
/// <param name="Role">The role's name (the file name when no generation loaded yet).</param>
/// <param name="File">The role file relative to the host's roles folder, or <c>PLUGIN#Type</c>.</param>
/// <param name="State">active, failed, quarantined or retired.</param>
/// <param name="Generation">The generation that serves (0 when none).</param>
/// <param name="Version">The hash of the source the host compiled: hosts serving the same file content show the same.</param>
internal sealed record ClusterRole(string Role, string File, string State, int Generation, string Version);
