namespace AgentPlugins.Sdk;

/// <summary>Event types the host publishes. Event types are case-sensitive.</summary>
public static class Events
{
    /// <summary>The slow heartbeat (plugins.json <c>scheduler:heartbeat</c>, default 30 s).</summary>
    public const string HeartbeatTick = "HEARTBEAT_TICK";

    /// <summary>The fast heartbeat (plugins.json <c>scheduler:fastHeartbeat</c>, default 5 s).</summary>
    public const string FastHeartbeatTick = "FAST_HEARTBEAT_TICK";

    /// <summary>A host timer came due. Data: see <see cref="TimerData"/>.</summary>
    public const string TimerExpired = "TIMER_EXPIRED";

    /// <summary>A role generation became active. Data: <c>role</c>, <c>generation</c>.</summary>
    public const string RoleLoaded = "ROLE_LOADED";

    /// <summary>A role generation was retired. Data: <c>role</c>, <c>generation</c>.</summary>
    public const string RoleRetired = "ROLE_RETIRED";

    /// <summary>All event types the host itself publishes.</summary>
    public static IReadOnlyList<string> PublishedByHost { get; } =
        [HeartbeatTick, FastHeartbeatTick, TimerExpired, RoleLoaded, RoleRetired];
}
