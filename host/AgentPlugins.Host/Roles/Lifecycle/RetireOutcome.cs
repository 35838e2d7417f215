namespace AgentPlugins.Host.Roles;

/// <summary>What retiring a role file did.</summary>
/// <param name="Path">The role file.</param>
/// <param name="Role">The role taken out of service, or null when nothing from the file served.</param>
/// <param name="TakenOverBy">A file whose role was waiting for the name and now serves, if any.</param>
internal sealed record RetireOutcome(string Path, string? Role, string? TakenOverBy = null);
