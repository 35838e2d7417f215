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
}
