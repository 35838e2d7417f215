namespace AgentPlugins.Host.Audit;

/// <summary>One line of the audit log.</summary>
internal sealed record AuditRecord(DateTimeOffset At, string Producer, string Action, string Details, string? User);
