namespace AgentPlugins.Sdk;

/// <summary>
/// Host-owned timers. A timer belongs to a user and channel, not to a role generation: reloading or
/// deleting the role that set it loses nothing. When it comes due the host publishes
/// <see cref="Events.TimerExpired"/>.
/// </summary>
public interface ITimerService
{
    Task<TimerInfo> ScheduleAsync(TimerRequest request, CancellationToken cancellationToken = default);

    /// <summary>Cancels the user's timer whose id or label is <paramref name="idOrLabel"/>; false when there is none.</summary>
    Task<bool> CancelAsync(string idOrLabel, string? user, CancellationToken cancellationToken = default);

    /// <summary>The pending timers of a user on a channel, soonest first.</summary>
    Task<IReadOnlyList<TimerInfo>> ListAsync(string? user, string channel, CancellationToken cancellationToken = default);
}

/// <summary>A timer to set.</summary>
/// <param name="Duration">How long from now.</param>
/// <param name="Label">What the timer is for (<c>tea</c>).</param>
/// <param name="User">Who set it.</param>
/// <param name="Channel">Where its expiry goes.</param>
/// <param name="FollowUp">An instruction to run when it expires, if any.</param>
public sealed record TimerRequest(TimeSpan Duration, string Label, string? User, string Channel, string? FollowUp = null);

/// <summary>A pending timer.</summary>
public sealed record TimerInfo(
    string Id,
    string Label,
    DateTimeOffset DueAt,
    string? User,
    string Channel,
    string? FollowUp);
