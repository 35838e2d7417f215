namespace AgentPlugins.Sdk;

/// <summary>A record for the durable audit log.</summary>
public sealed record AuditIntent(string Action, string Details, string? User = null) : Intent
{
    public override bool Validate() => !string.IsNullOrWhiteSpace(Action) && Details is not null;
}
