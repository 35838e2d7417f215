namespace AgentPlugins.Host.Roles;

/// <summary>What quarantining a role did.</summary>
/// <param name="Role">The role named.</param>
/// <param name="Generation">The generation silenced, or null when no such role serves (nothing was done).</param>
internal sealed record QuarantineOutcome(string Role, int? Generation)
{
    public bool Quarantined => Generation is not null;
}
