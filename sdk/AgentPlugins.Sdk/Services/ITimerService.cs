using System.Diagnostics.CodeAnalysis;

namespace AgentPlugins.Sdk;

/// <summary>
/// Host-owned timers, durable in SQLite. A timer belongs to a user and channel, not to a role
/// generation: reloading or deleting the role that set it, or restarting the host, loses nothing.
/// When it comes due the host publishes <see cref="Events.TimerExpired"/>, once. Role code reaches
/// it through <see cref="RoleContext.Timers"/>, which fills in the user and channel of the call.
/// </summary>
public interface ITimerService
{
    /// <summary>Sets a timer; a request over the limits in plugins.json is refused, with the reason.</summary>
    Task<ScheduleResult> ScheduleAsync(TimerRequest request, CancellationToken cancellationToken = default);

    /// <summary>Cancels the user's timer whose id or label is <paramref name="idOrLabel"/>; false when there is none.</summary>
    Task<bool> CancelAsync(string idOrLabel, string? user, CancellationToken cancellationToken = default);

    /// <summary>The pending timers of a user on a channel, soonest first.</summary>
    Task<IReadOnlyList<TimerInfo>> ListAsync(string? user, string channel, CancellationToken cancellationToken = default);
}

/// <summary>A timer to set.</summary>
/// <param name="Due">When: <see cref="TimerDue.In"/> a duration, or <see cref="TimerDue.AtTimeOfDay"/>; read text with <see cref="TimerDue.TryParse"/>.</param>
/// <param name="Label">What the timer is for (<c>tea</c>).</param>
/// <param name="User">Who set it.</param>
/// <param name="Channel">Where its expiry goes.</param>
/// <param name="FollowUp">An instruction to run when it expires, if any.</param>
/// <param name="Owner">The role that sets it: its expiry goes to that role only, and waits while the role is absent. Null: every role listening to <see cref="Events.TimerExpired"/> gets it.</param>
/// <param name="Payload">What the owner wants back with the expiry (<see cref="TimerData.Payload"/>), at most <see cref="MaxPayloadLength"/> characters.</param>
public sealed record TimerRequest(TimerDue Due, string Label, string? User, string Channel, string? FollowUp = null, string? Owner = null, string? Payload = null)
{
    /// <summary>The longest payload a timer may carry, in characters.</summary>
    public const int MaxPayloadLength = 4096;
}

/// <summary>A pending timer.</summary>
/// <param name="Id">A short id the user can type (<c>t12</c>); never reused.</param>
/// <param name="DueAt">When it is due, with the offset of the host's time zone (<c>timers:timeZone</c>), so it formats as local time.</param>
public sealed record TimerInfo(
    string Id,
    string Label,
    DateTimeOffset DueAt,
    string? User,
    string Channel,
    string? FollowUp,
    string? Owner = null);

/// <summary>What became of a <see cref="TimerRequest"/>: the timer that was set, or why it was refused.</summary>
public sealed record ScheduleResult
{
    private ScheduleResult(TimerInfo? timer, string? refusal)
    {
        Timer = timer;
        Refusal = refusal;
    }

    /// <summary>The timer, when it was set.</summary>
    public TimerInfo? Timer { get; }

    /// <summary>Why it was not set (a limit from plugins.json), in words for the user.</summary>
    public string? Refusal { get; }

    [MemberNotNullWhen(true, nameof(Timer))]
    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool Scheduled => Timer is not null;

    public static ScheduleResult Set(TimerInfo timer) => new(timer ?? throw new ArgumentNullException(nameof(timer)), null);

    public static ScheduleResult Refused(string reason) =>
        new(null, string.IsNullOrWhiteSpace(reason) ? throw new ArgumentException("A refusal needs a reason.", nameof(reason)) : reason);
}
