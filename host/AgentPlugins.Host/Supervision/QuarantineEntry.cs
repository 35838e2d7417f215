namespace AgentPlugins.Host.Supervision;

/// <summary>A role file kept out of service until its content changes or it is released.</summary>
/// <param name="Path">The role file.</param>
/// <param name="Role">The role's name, or the file's name when the role never loaded.</param>
/// <param name="ContentHash">The content that misbehaved; any other content loads.</param>
/// <param name="Reason">What it did: the handler, and how long it held the loop or how the host ended.</param>
/// <param name="Since">When it was quarantined.</param>
internal sealed record QuarantineEntry(string Path, string Role, string ContentHash, string Reason, DateTimeOffset Since);
