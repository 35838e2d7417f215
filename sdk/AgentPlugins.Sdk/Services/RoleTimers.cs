namespace AgentPlugins.Sdk;

/// <summary>
/// The host's timers as one role call sees them (<see cref="RoleContext.Timers"/>): set, listed and
/// cancelled on behalf of the user and channel the call came from, so a role never passes them.
/// The timers themselves stay the host's: durable, and kept across role reloads and host restarts.
/// </summary>
public sealed class RoleTimers
{
    private readonly ITimerService _timers;
    private readonly EventContext _origin;
    private readonly CancellationToken _cancellation;
    private readonly string? _role;

    /// <param name="timers">The host's timer service.</param>
    /// <param name="origin">Whose timers these are: <see cref="EventContext.User"/>, and <see cref="EventContext.Channel"/> for expiries.</param>
    /// <param name="cancellation">Cancels every call when the role call is abandoned, besides the token a call passes.</param>
    public RoleTimers(ITimerService timers, EventContext origin, CancellationToken cancellation)
        : this(timers, origin, role: null, cancellation)
    {
    }

    /// <param name="timers">The host's timer service.</param>
    /// <param name="origin">Whose timers these are: <see cref="EventContext.User"/>, and <see cref="EventContext.Channel"/> for expiries.</param>
    /// <param name="role">The role that owns the timers set here: their expiries go to it only. Null: to every listener.</param>
    /// <param name="cancellation">Cancels every call when the role call is abandoned, besides the token a call passes.</param>
    public RoleTimers(ITimerService timers, EventContext origin, string? role, CancellationToken cancellation)
    {
        _role = role;
        ArgumentNullException.ThrowIfNull(timers);
        ArgumentNullException.ThrowIfNull(origin);
        _timers = timers;
        _origin = origin;
        _cancellation = cancellation;
    }

    /// <summary>
    /// Sets a timer for the origin's user whose expiry (<see cref="Events.TimerExpired"/>) goes to the
    /// origin's channel and to this role only: while the role is absent (deleted, failed, quarantined)
    /// the expiry waits and is delivered once it is back. A request over the limits in plugins.json,
    /// or with a payload over <see cref="TimerRequest.MaxPayloadLength"/>, is refused, with the reason.
    /// </summary>
    /// <param name="due">When: read the user's words with <see cref="TimerDue.TryParse"/>.</param>
    /// <param name="label">What the timer is for (<c>tea</c>); an empty one reads <c>timer</c>.</param>
    /// <param name="followUp">An instruction to run for the user when it expires, or null.</param>
    /// <param name="payload">Text the expiry brings back (<see cref="TimerData.Payload"/>), e.g. what to remind of; or null.</param>
    /// <param name="cancellationToken">Cancels the call, as well as the role call's own cancellation.</param>
    public Task<ScheduleResult> ScheduleAsync(TimerDue due, string label, string? followUp = null, string? payload = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(due);
        ArgumentNullException.ThrowIfNull(label);
        var request = new TimerRequest(due, label, _origin.User, _origin.Channel, followUp, _role, payload);
        return WithCancellation(token => _timers.ScheduleAsync(request, token), cancellationToken);
    }

    /// <summary>Cancels the origin user's timer whose id (<c>t12</c>) or label is <paramref name="idOrLabel"/>; false when there is none.</summary>
    public Task<bool> CancelAsync(string idOrLabel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idOrLabel);
        return WithCancellation(token => _timers.CancelAsync(idOrLabel, _origin.User, token), cancellationToken);
    }

    /// <summary>The origin user's pending timers on the origin's channel, soonest first.</summary>
    public Task<IReadOnlyList<TimerInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        WithCancellation(token => _timers.ListAsync(_origin.User, _origin.Channel, token), cancellationToken);

    private Task<T> WithCancellation<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled || cancellationToken == _cancellation)
        {
            return call(_cancellation);
        }

        return _cancellation.CanBeCanceled ? Linked(call, cancellationToken) : call(cancellationToken);
    }

    private async Task<T> Linked<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancellation, cancellationToken);
        return await call(linked.Token).ConfigureAwait(false);
    }
}
