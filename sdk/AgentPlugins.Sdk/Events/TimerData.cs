namespace AgentPlugins.Sdk;

/// <summary>Keys of a <see cref="Events.TimerExpired"/> event's data.</summary>
public static class TimerData
{
    public const string Id = "timer_id";
    public const string Label = "label";
    public const string User = "user";
    public const string Channel = "channel";
    public const string DueAt = "due_at";
    public const string LateByMs = "late_by_ms";
    public const string FollowUp = "follow_up";

    /// <summary>The role that set the timer; its expiry goes to that role only. Absent for timers set before timers had owners.</summary>
    public const string Owner = "owner";

    /// <summary>What the role that set the timer attached to it (<see cref="RoleTimers.ScheduleAsync"/>'s payload), when anything.</summary>
    public const string Payload = "payload";
}
