namespace AgentPlugins.Host.Scheduling;

/// <summary>Heartbeat intervals (plugins.json <c>scheduler</c>).</summary>
internal sealed record SchedulerOptions
{
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan FastHeartbeat { get; init; } = TimeSpan.FromSeconds(5);
}
