using System.Threading.Channels;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Timers;

/// <summary>
/// The host's timers, durable in SQLite (<see cref="TimerStore"/>). One worker owns the store and
/// carries out commands in batches, one transaction each, off the loop. It keeps one clock timer
/// armed for the soonest pending due time (an index lookup, not a scan; re-armed when an earlier
/// timer arrives) and, when it rings, claims what is due (<c>pending → firing</c>), posts each expiry
/// to the loop, and marks it <c>fired</c> once a handler got it. At start it re-delivers timers left
/// <c>firing</c> by a crash (their effects de-duplicated by <see cref="Effects"/>), then fires those
/// that came due while the host was down, marked late. An expiry no role listens to stays
/// <c>firing</c> and is delivered again when a role is loaded. A timer a role set (owned) goes to that
/// role only; while the role is absent its expiry waits the same way, and after <c>timers:ownerGrace</c>
/// it is recorded as undeliverable in the audit, the user is told, and it is marked fired.
/// On a store several hosts share (<see cref="ISharedTimerStore"/>) each due timer is claimed by one
/// host; the others sleep until the next due time they see and are woken by the store's notifications.
/// Such a store claims a little ahead of the due time (the worker holds those timers and delivers each
/// at its due time), and a host holds at most what it dispatches in <see cref="ClaimBudget.WindowMs"/>
/// at its own measured pace (<see cref="ClaimBudget"/>, never more than <see cref="SharedSlice"/>)
/// claimed and not yet dispatched, claiming more once half of that is: due timers are shared by the
/// hosts in small slices instead of taken in blocks one host's chain gets through late.
/// </summary>
internal sealed class DurableTimerService : ITimerService, IAsyncDisposable
{
    private const int BatchLimit = 1000;

    /// <summary>On a shared store, the most expiries a host holds claimed but not yet dispatched by the loop (before its pace is measured, and however fast it is).</summary>
    public const int SharedSlice = 100;
    private static readonly TimeSpan LongestSleep = TimeSpan.FromHours(1);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(1);

    private readonly TimersOptions _options;
    private readonly TimeZoneInfo _zone;
    private readonly TimeProvider _clock;
    private readonly EventLoop _loop;
    private readonly MessageBus _bus;
    private readonly ILogger _log;
    private readonly ITimerStore _store;
    private readonly IntentProcessor _intents;
    private readonly Channel<TimerCommand> _commands = Channel.CreateUnbounded<TimerCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ITimer _wake;

    // Owned by the worker.
    private readonly HashSet<long> _unheard = [];

    // Owned timers delivered but not yet heard by their role, for the grace deadline.
    private readonly Dictionary<long, StoredTimer> _awaitingOwner = [];
    private long _nextDueMs = long.MaxValue;

    // Claimed ahead of their due time (a shared store), delivered at it; soonest first.
    private readonly PriorityQueue<StoredTimer, (long DueAtMs, long Id)> _held = new();

    // Expiries posted to the loop whose dispatch report has not come back yet.
    private int _inFlight;
    private readonly bool _shared;

    // On a shared store: how many claimed, undispatched expiries this host may hold, from its own pace.
    private readonly ClaimBudget? _budget;

    // How long before its due time a timer is claimed (a shared store claims ahead; 0 on a store of its own).
    private readonly long _claimEarlyMs;

    // Flushes waiting for this host to catch up: due timers wait for room in its slice.
    private readonly List<Flush> _flushes = [];
    private long _retryAtMs;
    private TimeSpan _retryDelay = FirstRetry;
    private int _failures;
    private bool _recovered;

    // Delivery reports the store could not write (a full or read-only disk): kept and retried with the firing back-off.
    private readonly List<ExpiryDispatched> _unwritten = [];

    private Task? _worker;
    private bool _opened;
    private volatile bool _stopping;

    public DurableTimerService(TimersOptions options, string databasePath, TimeProvider clock, EventLoop loop, MessageBus bus, IntentProcessor intents, ILoggerFactory logs)
        : this(options, new TimerStore(databasePath), clock, loop, bus, intents, logs)
    {
    }

    /// <summary>A timer service on <paramref name="store"/> (the SQLite file, or another database behind the same calls).</summary>
    public DurableTimerService(TimersOptions options, ITimerStore store, TimeProvider clock, EventLoop loop, MessageBus bus, IntentProcessor intents, ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _zone = options.FindTimeZone() ?? throw new ArgumentException($"Unknown time zone '{options.TimeZone}'.", nameof(options));
        _clock = clock;
        _loop = loop;
        _bus = bus;
        _log = logs.CreateLogger<DurableTimerService>();
        _store = store;
        Effects = new ExpiryEffects(Record, logs.CreateLogger<ExpiryEffects>());
        ArgumentNullException.ThrowIfNull(intents);
        _intents = intents;
        intents.Attach(Effects);
        _wake = clock.CreateTimer(static state => ((DurableTimerService)state!).Post(Wake.Instance), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (store is ISharedTimerStore shared)
        {
            _shared = true;
            _claimEarlyMs = shared.ClaimEarlyMs;
            _budget = new ClaimBudget(SharedSlice);

            // Another host scheduled something sooner than this one sleeps for, or let go of its claims: wake for it.
            shared.OnChanged(due => Post(new DueElsewhere(due)));
        }
    }

    /// <summary>De-duplicates the effects of expiries delivered again after a crash; attached in front of the host's intent routes.</summary>
    public ExpiryEffects Effects { get; }

    /// <summary>Opens the store and takes its lock; fails at once when another host uses the same file.</summary>
    public void Open()
    {
        if (!_opened)
        {
            _store.Open();
            _opened = true;
        }
    }

    /// <summary>
    /// Starts firing (opening the store first if <see cref="Open"/> was not called): first the timers a
    /// crash left <c>firing</c>, then those due while the host was down. Call after the roles are
    /// loaded, so their expiries find a listener.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        Open();
        var done = _store.Effects();
        await _loop.InvokeAsync(() => Effects.Load(done), cancellationToken).ConfigureAwait(false);
        _worker = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>A role started serving: expiries nobody heard so far get another delivery.</summary>
    public void RoleStartedServing()
    {
        if (_worker is not null)
        {
            Post(RedeliverUnheard.Instance);
        }
    }

    /// <summary>The longest label a timer may have (it is listed and announced).</summary>
    public const int MaxLabelLength = 200;

    /// <summary>The longest follow-up instruction a timer may carry.</summary>
    public const int MaxFollowUpLength = 2000;

    public Task<ScheduleResult> ScheduleAsync(TimerRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Due);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Channel);
        if (request.Due.After is { } length && length > _options.MaxDuration)
        {
            return Task.FromResult(ScheduleResult.Refused(
                $"{Describe(length)} is longer than the longest timer allowed here ({Describe(_options.MaxDuration)}, timers:maxDuration)."));
        }

        var label = string.IsNullOrWhiteSpace(request.Label) ? "timer" : request.Label.Trim();
        if (label.Length > MaxLabelLength || request.FollowUp?.Length > MaxFollowUpLength)
        {
            // Every list shows the label and every expiry carries both; a huge one would be stored and echoed for ever.
            return Task.FromResult(ScheduleResult.Refused(label.Length > MaxLabelLength
                ? $"A timer's label may have at most {MaxLabelLength} characters; this one has {label.Length:N0}."
                : $"A timer's follow-up may have at most {MaxFollowUpLength:N0} characters; this one has {request.FollowUp!.Length:N0}."));
        }

        if (request.Payload is { Length: > TimerRequest.MaxPayloadLength } payload)
        {
            return Task.FromResult(ScheduleResult.Refused(
                $"A timer's payload may have at most {TimerRequest.MaxPayloadLength:N0} characters; this one has {payload.Length:N0}. Keep an id or a sentence in it and the rest in the role's store."));
        }

        var now = _clock.GetUtcNow();
        var dueAt = request.Due.After is { } after ? now + after : WallClock.Next(request.Due.At!.Value, now, _zone);
        var command = new ScheduleTimer(request, label, CeilingMs(dueAt));
        return Send(command, command.Result, cancellationToken);
    }

    public Task<bool> CancelAsync(string idOrLabel, string? user, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(idOrLabel))
        {
            return Task.FromResult(false);
        }

        var command = new CancelTimer(idOrLabel.Trim(), user);
        return Send(command, command.Result, cancellationToken);
    }

    public Task<IReadOnlyList<TimerInfo>> ListAsync(string? user, string channel, CancellationToken cancellationToken = default)
    {
        var command = new ListTimers(user, channel);
        return Send(command, command.Result, cancellationToken);
    }

    /// <summary>Completes when every command posted so far is carried out and every expiry due so far is posted to the loop.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flush = new Flush();
        return Post(flush) ? flush.Done.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
    }

    /// <summary>Stops firing (the host is shutting down); commands are still carried out until <see cref="DisposeAsync"/>.</summary>
    public void StopFiring()
    {
        _stopping = true;
        _wake.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Carries out what is queued (delivery reports from the drained loop among it), then closes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        StopFiring();
        _commands.Writer.TryComplete();
        if (_worker is not null)
        {
            await _worker.ConfigureAwait(false);
        }

        await _wake.DisposeAsync().ConfigureAwait(false);
        _store.Dispose();
    }

    private static long CeilingMs(DateTimeOffset time)
    {
        // Rounded up, so a timer never fires before the instant it was set for.
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
    }

    private static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: 1 } => "1 day",
        { TotalDays: > 1 } when span.Ticks % TimeSpan.TicksPerDay == 0 => $"{span.TotalDays:0} days",
        { TotalHours: >= 1 } => $"{(int)span.TotalHours} h {span.Minutes} min",
        { TotalMinutes: >= 1 } => $"{span.Minutes} min {span.Seconds} s",
        _ => $"{span.TotalSeconds:0.###} s",
    };

    private long NowMs() => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private DateTimeOffset Local(long ms) => TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(ms), _zone);

    private TimerInfo Info(StoredTimer timer) => new(timer.Name, timer.Label, Local(timer.DueAtMs), timer.User, timer.Channel, timer.FollowUp, timer.Owner);

    private bool Post(TimerCommand command) => _commands.Writer.TryWrite(command);

    private Task Record(string delivery, string effect)
    {
        var carried = new EffectCarried(delivery, effect);
        return Post(carried) ? carried.Recorded.Task : Task.FromException(new InvalidOperationException("The timer service is stopped."));
    }

    // A call already cancelled is not carried out (the worker could otherwise finish it before
    // WaitAsync looks at the token, and a retired role's schedule would still be made).
    private Task<T> Send<T>(TimerCommand command, TaskCompletionSource<T> result, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled<T>(cancellationToken)
        : Post(command) ? result.Task.WaitAsync(cancellationToken)
        : Task.FromException<T>(new InvalidOperationException("The timer service is stopped."));

    private async Task RunAsync()
    {
        await FireDueAsync().ConfigureAwait(false);
        Arm();

        var batch = new List<TimerCommand>(BatchLimit);
        var reader = _commands.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var inFlightBefore = _inFlight;
            var dispatched = 0;
            while (batch.Count < BatchLimit && reader.TryRead(out var command))
            {
                batch.Add(command);
                if (command is DueElsewhere elsewhere)
                {
                    _nextDueMs = Math.Min(_nextDueMs, elsewhere.DueAtMs == long.MinValue ? long.MinValue : elsewhere.DueAtMs - _claimEarlyMs);
                }
                else if (command is ExpiryDispatched)
                {
                    _inFlight = Math.Max(0, _inFlight - 1);
                    dispatched++;
                }
            }

            _budget?.Observe(NowMs(), dispatched, inFlightBefore);

            var redeliver = Execute(batch);
            if (redeliver.Count > 0)
            {
                await RedeliverAsync(redeliver).ConfigureAwait(false);
            }

            await GiveUpOnAbsentOwnersAsync().ConfigureAwait(false);

            await FireDueAsync().ConfigureAwait(false);
            Arm();
            _flushes.AddRange(batch.OfType<Flush>());
            if (!WaitingForRoom())
            {
                foreach (var flush in _flushes)
                {
                    flush.Done.TrySetResult();
                }

                _flushes.Clear();
            }

            batch.Clear();
        }

        foreach (var flush in _flushes)
        {
            flush.Done.TrySetResult();
        }
    }

    // One transaction for the whole batch; replies go out only after it is committed. When it fails,
    // each command is tried alone, so one failure does not take the others with it.
    private List<long> Execute(List<TimerCommand> batch)
    {
        if (_unwritten.Count > 0 && _retryAtMs <= NowMs())
        {
            batch.InsertRange(0, _unwritten);
            _unwritten.Clear();
        }

        if (batch.TrueForAll(command => command is Wake or Flush or DueElsewhere))
        {
            return [];
        }

        var redeliver = new List<long>();
        if (TryExecute(batch, redeliver, out var failure))
        {
            return redeliver;
        }

        _log.LogDebug(failure, "A batch of {Count} timer command(s) failed; trying them one by one.", batch.Count);
        redeliver.Clear();
        foreach (var command in batch)
        {
            if (!TryExecute([command], redeliver, out var error))
            {
                Fail(command, error);
            }
        }

        return redeliver;
    }

    private bool TryExecute(List<TimerCommand> batch, List<long> redeliver, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out Exception? failure)
    {
        var nowMs = NowMs();
        var replies = new List<Action>();
        var unheard = new List<long>();
        var heardIds = new List<long>();
        var redeliverCount = redeliver.Count;

        // A timer marked fired in this commit needs no record of its effects (the mark drops them): one statement less per expiry.
        var firedHere = batch.OfType<ExpiryDispatched>().Where(d => d.Heard).Select(d => StoredTimer.FormatId(d.Id)).ToHashSet(StringComparer.Ordinal);
        try
        {
            _store.Begin();
            foreach (var command in batch)
            {
                switch (command)
                {
                    case ScheduleTimer schedule:
                        replies.Add(Schedule(schedule, nowMs));
                        break;
                    case CancelTimer cancel:
                        var cancelled = _store.Cancel(cancel.IdOrLabel, cancel.User, nowMs) is not null;
                        replies.Add(() => cancel.Result.TrySetResult(cancelled));
                        break;
                    case ListTimers list:
                        IReadOnlyList<TimerInfo> timers = [.. _store.ListPending(list.User, list.Channel).Select(Info)];
                        replies.Add(() => list.Result.TrySetResult(timers));
                        break;
                    case ExpiryDispatched { Heard: true } heard:
                        _store.MarkFired(heard.Id, nowMs);
                        heardIds.Add(heard.Id);
                        break;
                    case ExpiryDispatched notHeard:
                        unheard.Add(notHeard.Id);
                        break;
                    case EffectCarried effect:
                        if (!firedHere.Contains(effect.Delivery))
                        {
                            _store.RecordEffect(effect.Delivery, effect.Effect, nowMs);
                        }

                        replies.Add(() => effect.Recorded.TrySetResult());
                        break;
                    case RedeliverUnheard:
                        redeliver.AddRange(_unheard);
                        break;
                }
            }

            _store.Commit();
        }
        catch (Exception ex)
        {
            _store.Rollback();
            redeliver.RemoveRange(redeliverCount, redeliver.Count - redeliverCount);
            failure = _store.Explain(Doing(batch), ex);
            return false;
        }

        // Committed: now the in-memory state and the replies.
        foreach (var id in heardIds)
        {
            _unheard.Remove(id);
            _awaitingOwner.Remove(id);
        }

        foreach (var id in unheard)
        {
            _unheard.Add(id);
            if (_awaitingOwner.TryGetValue(id, out var owned))
            {
                _log.LogWarning("Role {Owner} is not serving; its timer {Timer} waits for it (up to {Grace}, timers:ownerGrace).", owned.Owner, owned.Name, _options.OwnerGrace);
            }
            else
            {
                _log.LogWarning("No role listens to {Event}; timer {Timer} stays due and is delivered when a role is loaded.", Events.TimerExpired, StoredTimer.FormatId(id));
            }
        }

        if (redeliver.Count > redeliverCount)
        {
            _unheard.Clear();
        }

        foreach (var reply in replies)
        {
            reply();
        }

        failure = null;
        return true;
    }

    private static string Doing(List<TimerCommand> batch) => batch is [var only] ? only switch
    {
        ScheduleTimer => "save the timer",
        CancelTimer => "cancel the timer",
        ListTimers => "list the timers",
        ExpiryDispatched => "mark the timer fired",
        EffectCarried => "record the timer's effect",
        _ => "update the timers",
    }
    : "update the timers";

    private Action Schedule(ScheduleTimer schedule, long nowMs)
    {
        var request = schedule.Request;
        if (_store.CountPending(request.User) >= _options.MaxPerUser)
        {
            var refusal = ScheduleResult.Refused(
                $"you already have {_options.MaxPerUser} timers running, the most allowed here (timers:maxPerUser); cancel one first.");
            return () => schedule.Result.TrySetResult(refusal);
        }

        var timer = _store.Insert(schedule.Label, request.User, request.Channel, request.FollowUp, schedule.DueAtMs, nowMs, request.Owner, request.Payload);
        _nextDueMs = Math.Min(_nextDueMs, timer.DueAtMs - _claimEarlyMs);
        var result = ScheduleResult.Set(Info(timer));
        return () => schedule.Result.TrySetResult(result);
    }

    private void Fail(TimerCommand command, Exception ex)
    {
        switch (command)
        {
            case ExpiryDispatched dispatched:
                // Kept: the timer stays `firing` meanwhile (and is delivered again at a restart); written when the store recovers.
                _unwritten.Add(dispatched);
                StoreFailed(ex, NowMs());
                break;
            case EffectCarried effect:
                effect.Recorded.TrySetException(ex);
                break;
            case ScheduleTimer schedule:
                schedule.Result.TrySetException(ex);
                break;
            case CancelTimer cancel:
                cancel.Result.TrySetException(ex);
                break;
            case ListTimers list:
                list.Result.TrySetException(ex);
                break;
        }
    }

    private async Task FireDueAsync()
    {
        var nowMs = NowMs();
        var claim = !_recovered || (_nextDueMs <= nowMs && RoomToClaim);
        if (_stopping || _retryAtMs > nowMs || (!claim && !HeldDue(nowMs)))
        {
            return;
        }

        try
        {
            if (!_recovered)
            {
                // First, expiries a crash left going out (in due order); then whatever came due while the host was down.
                await DeliverAsync(_store.Firing()).ConfigureAwait(false);
                _recovered = true;
            }

            await DeliverHeldAsync().ConfigureAwait(false);
            if (!claim)
            {
                return;
            }

            List<StoredTimer> claimed;
            int limit;
            do
            {
                limit = Room;
                claimed = limit > 0 ? _store.ClaimDue(nowMs, limit) : [];
                await LoadEffectsOfReclaimedAsync(claimed).ConfigureAwait(false);
                await DeliverAsync(claimed).ConfigureAwait(false);
            }
            while (claimed.Count == limit && !_shared && !_stopping);

            _nextDueMs = _store.EarliestPendingDue() ?? long.MaxValue;
            if (_unwritten.Count == 0)
            {
                StoreRecovered();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            StoreFailed(_store.Explain("fire due timers", ex), nowMs);
        }
    }

    // The clock timer is re-armed for the retry, backing off to LongestRetry: a failing disk delays
    // timers (they stay pending, or firing, and are kept), it never silently stops them. Logged when
    // the store starts failing and when it recovers, not on every retry.
    private void StoreFailed(Exception ex, long nowMs)
    {
        _failures++;
        if (_failures == 1)
        {
            _retryDelay = FirstRetry;
            _log.LogError("{Problem} Due timers are kept and fired when the store recovers; retrying with back-off up to {Longest}.", ex.Message, LongestRetry);
        }
        else
        {
            _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, LongestRetry.Ticks));
            _log.LogDebug("Timer store {Path} still failing ({Message}); next try in {Delay}.", _store.Path, ex.Message, _retryDelay);
        }

        _retryAtMs = nowMs + (long)_retryDelay.TotalMilliseconds;
    }

    private void StoreRecovered()
    {
        if (_failures > 0)
        {
            _log.LogInformation("Timer store {Path} works again after {Failures} failed attempt(s); due timers fire now.", _store.Path, _failures);
            _failures = 0;
            _retryDelay = FirstRetry;
        }
    }

    // How many more timers this host may claim now: unbounded on a store of its own, up to its budget on a shared one.
    private int Room => _budget is { } budget ? budget.Limit - _held.Count - _inFlight : BatchLimit;

    // A host on a shared store claims again once half its budget is free: one round trip per half budget dispatched.
    private bool RoomToClaim => Room >= (_budget is { } budget ? Math.Max(1, budget.Limit / 2) : 1);

    // Due timers left unclaimed because this host's slice is full: the loop's dispatch reports make room.
    private bool WaitingForRoom()
    {
        var nowMs = NowMs();
        return _shared && _recovered && !_stopping && _inFlight > 0 && _retryAtMs <= nowMs && _nextDueMs <= nowMs;
    }

    private bool HeldDue(long nowMs) => _held.TryPeek(out _, out var soonest) && soonest.DueAtMs <= nowMs;

    private async Task DeliverHeldAsync()
    {
        var due = new List<StoredTimer>();
        var nowMs = NowMs();
        while (_held.TryPeek(out var timer, out var at) && at.DueAtMs <= nowMs)
        {
            _held.Dequeue();
            due.Add(timer);
        }

        await DeliverAsync(due).ConfigureAwait(false);
    }

    // Posts each expiry to the loop; one claimed ahead of its due time is held until then (never fired early).
    private async Task DeliverAsync(List<StoredTimer> timers)
    {
        foreach (var timer in timers)
        {
            if (timer.DueAtMs > NowMs())
            {
                _held.Enqueue(timer, (timer.DueAtMs, timer.Id));
                continue;
            }

            var id = timer.Id;
            if (timer.Owner is not null)
            {
                _awaitingOwner[id] = timer;
            }

            var expiry = new TimerExpiry(timer, NowMs(), _zone, _bus, Effects, heard => Post(new ExpiryDispatched(id, heard)));
            Telemetry.HostMetrics.TimerLateness.Record(Math.Max(0, NowMs() - timer.DueAtMs));
            try
            {
                await _loop.PostAsync(expiry).ConfigureAwait(false);
                _budget?.Observe(NowMs(), 0, _inFlight);
                _inFlight++;
            }
            catch (ChannelClosedException)
            {
                // The loop is shutting down: the timer stays `firing` and is delivered at the next start.
                return;
            }
        }
    }

    // Timers taken over from a host that stopped renewing its lease: what that host already carried out is skipped.
    private async Task LoadEffectsOfReclaimedAsync(List<StoredTimer> claimed)
    {
        if (!claimed.Exists(t => t.Reclaimed))
        {
            return;
        }

        var done = _store.Effects([.. claimed.Where(t => t.Reclaimed).Select(t => t.Id)]);
        if (done.Count > 0)
        {
            await _loop.InvokeAsync(() => Effects.Load(done)).ConfigureAwait(false);
        }
    }

    private async Task RedeliverAsync(List<long> unheard)
    {
        List<StoredTimer> timers;
        try
        {
            timers = _store.Firing(unheard);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Could not read timers from {Path}; {Count} unheard expiries wait for the next role load or restart.", _store.Path, unheard.Count);
            _unheard.UnionWith(unheard);
            return;
        }

        await DeliverAsync(timers).ConfigureAwait(false);
    }

    // Owned expiries whose role stayed away past the grace: audited as undeliverable, the user told, then marked fired (once).
    private async Task GiveUpOnAbsentOwnersAsync()
    {
        var nowMs = NowMs();
        var graceMs = (long)_options.OwnerGrace.TotalMilliseconds;
        var expired = _awaitingOwner.Values.Where(t => _unheard.Contains(t.Id) && t.DueAtMs + graceMs <= nowMs).ToList();
        foreach (var timer in expired)
        {
            var origin = new IntentOrigin("timers", new EventContext(timer.Channel, timer.User, _clock.GetUtcNow(), "timers"));
            var why = $"role {timer.Owner} was not serving for {_options.OwnerGrace} after it came due (timers:ownerGrace)";
            try
            {
                await _loop.InvokeAsync(() =>
                {
                    _intents.Submit(new AuditIntent("timer_undeliverable", $"{timer.Name} '{timer.Label}' due {Local(timer.DueAtMs):O}: {why}", timer.User), origin);
                    if (timer.User is not null)
                    {
                        _intents.Submit(new NotificationIntent($"Your timer '{timer.Label}' ({timer.Name}) could not be delivered: {why}.", timer.Channel, timer.User, Priority.High), origin);
                    }
                }).ConfigureAwait(false);
                _store.Begin();
                _store.MarkFired(timer.Id, nowMs);
                _store.Commit();
            }
            catch (Exception ex)
            {
                // The loop stopping or the store failing: the timer stays firing, and is tried again at the next wake or start.
                _store.Rollback();
                _log.LogWarning(ex, "Could not record timer {Timer} as undeliverable yet; tried again after a back-off.", timer.Name);
                StoreFailed(ex, nowMs);
                return;
            }

            _unheard.Remove(timer.Id);
            _awaitingOwner.Remove(timer.Id);
        }
    }

    private void Arm()
    {
        if (_stopping)
        {
            return;
        }

        // A host at its budget claims again when dispatch reports come in, not by the clock.
        var claimAtMs = RoomToClaim ? _nextDueMs : long.MaxValue;
        if (_held.TryPeek(out _, out var held))
        {
            claimAtMs = Math.Min(claimAtMs, held.DueAtMs);
        }

        var wakeAtMs = _recovered ? (claimAtMs == long.MaxValue ? long.MaxValue : Math.Max(claimAtMs, _retryAtMs)) : _retryAtMs;
        var graceMs = (long)_options.OwnerGrace.TotalMilliseconds;
        foreach (var waiting in _awaitingOwner.Values)
        {
            if (_unheard.Contains(waiting.Id))
            {
                wakeAtMs = Math.Min(wakeAtMs, Math.Max(waiting.DueAtMs + graceMs, _retryAtMs));
            }
        }

        if (_unwritten.Count > 0)
        {
            // Delivery reports waiting to be written are retried even when nothing else is due.
            wakeAtMs = Math.Min(wakeAtMs, _retryAtMs);
        }

        if (wakeAtMs == long.MaxValue)
        {
            _wake.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var delayMs = Math.Clamp(wakeAtMs - NowMs(), 0, (long)LongestSleep.TotalMilliseconds);
        _wake.Change(TimeSpan.FromMilliseconds(delayMs), Timeout.InfiniteTimeSpan);
    }
}
