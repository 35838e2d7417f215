// The timer role: set, cancel and list timers and alarms, and tell the user when one is done.
// Timers belong to the host (durable in SQLite), so they keep running while this file is edited,
// reloaded or deleted, and across host restarts.
using System.ComponentModel;
using System.Globalization;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

// ── 1. Intents this role owns: one per action, each checks its own values ────────────────────

/// <summary>Set a timer, or an alarm at a time of day, for the user who asked.</summary>
public sealed record CreateTimerIntent(TimerDue Due, string Label, string? FollowUp = null) : Intent
{
    public override bool Validate() => Due is not null && !string.IsNullOrWhiteSpace(Label);
}

/// <summary>Cancel the user's timer with this id (<c>t1</c>) or label (<c>tea</c>).</summary>
public sealed record CancelTimerIntent(string TimerId) : Intent
{
    public override bool Validate() => !string.IsNullOrWhiteSpace(TimerId);
}

/// <summary>Tell the user which of their timers are running.</summary>
public sealed record ListTimersIntent : Intent
{
    public override bool Validate() => true;
}

public sealed class TimerRole : IRole
{
    // ── 2. Metadata: what the role is and when the router picks it ───────────────────────────

    public RoleConfig Config { get; } = new(
        Name: "timer",
        Version: "3.0.0",
        Description: "Timer and alarm management",
        WhenToUse: "Set timers, alarms and time-based reminders; cancel or list them",
        Llm: LlmTier.Weak,
        FastReply: true);

    // ── 3. Registration: everything below, in this order ─────────────────────────────────────

    public void Register(RoleBuilder role)
    {
        role.On(Events.TimerExpired, OnTimerExpired);
        role.Tools(this);
        role.Handle<CreateTimerIntent>(ProcessCreateTimer);
        role.Handle<CancelTimerIntent>(ProcessCancelTimer);
        role.Handle<ListTimersIntent>(ProcessListTimers);
    }

    // ── 4. Event handlers: pure, event in, intents out ───────────────────────────────────────

    private static IEnumerable<Intent> OnTimerExpired(BusEvent e, EventContext context)
    {
        var label = e.Get(TimerData.Label) ?? "timer";
        var late = int.TryParse(e.Get(TimerData.LateByMs), CultureInfo.InvariantCulture, out var ms) && ms > 1000
            ? $" ({ms / 1000} s late)"
            : string.Empty;

        yield return new NotificationIntent($"Timer '{label}' is done{late}.", context.Channel, context.User, Priority.High);
        yield return new AuditIntent("timer_expired", $"{e.Get(TimerData.Id)} '{label}' due {e.Get(TimerData.DueAt)}", context.User);

        if (e.Get(TimerData.FollowUp) is { Length: > 0 } followUp)
        {
            yield return new WorkflowIntent("timer_follow_up", followUp);
        }
    }

    // ── 5. Tools: what the model (or a /timer command) can call; they return intents ─────────

    [KernelFunction("set_timer"), Description("Set a timer, or an alarm at a time of day, that tells the user when it is done")]
    public ToolResult SetTimer(
        [Description("How long (90s, 5m, 1h30m, 2 minutes, PT5M, a number of seconds), or a time of day for an alarm (07:30, 7am)")] string duration,
        [Description("What the timer is for, e.g. tea")] string label = "timer",
        [Description("An instruction to run when the timer is done, if any")] string followUp = "")
    {
        if (!TimerDue.TryParse(duration, out var due, out var error))
        {
            return ToolResult.Fail(error);
        }

        var what = due.After is { } length ? $"a {Describe(length)} timer" : $"an alarm at {due}";
        var then = string.IsNullOrWhiteSpace(followUp) ? null : followUp.Trim();
        return ToolResult.Ok($"Setting {what} for '{label}'.", new CreateTimerIntent(due, label, then));
    }

    [KernelFunction("cancel_timer"), Description("Cancel a timer by its id or its label")]
    public ToolResult CancelTimer([Description("The timer's id (t1) or label (tea)")] string timerId) =>
        string.IsNullOrWhiteSpace(timerId)
            ? ToolResult.Fail("Say which timer to cancel: its id (t1) or its label (tea).")
            : ToolResult.Ok($"Cancelling timer '{timerId}'.", new CancelTimerIntent(timerId));

    [KernelFunction("list_timers"), Description("List the user's running timers with the time left")]
    public ToolResult ListTimers() => ToolResult.Ok("Listing your timers.", new ListTimersIntent());

    // ── 6. Helpers: private static functions ─────────────────────────────────────────────────

    private static string Describe(TimeSpan length) => length switch
    {
        { TotalSeconds: < 60 } => $"{length.TotalSeconds:0} second",
        { TotalMinutes: < 60 } when length.Seconds == 0 => $"{length.TotalMinutes:0} minute",
        { TotalHours: < 24 } => length.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture),
        _ => length.ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture),
    };

    // ── 7. Intent handlers: the only side effects, through the context's host services ───────
    // context.Timers works for the user and channel the request came from, as NotifyAsync answers them.

    private static async Task ProcessCreateTimer(CreateTimerIntent intent, IntentContext context)
    {
        var result = await context.Timers.ScheduleAsync(intent.Due, intent.Label, intent.FollowUp);
        await context.NotifyAsync(result.Scheduled
            ? $"Timer '{result.Timer.Label}' set ({result.Timer.Id}), done at {result.Timer.DueAt:HH:mm:ss}."
            : $"Timer '{intent.Label}' not set: {result.Refusal}");
    }

    private static async Task ProcessCancelTimer(CancelTimerIntent intent, IntentContext context)
    {
        var cancelled = await context.Timers.CancelAsync(intent.TimerId);
        await context.NotifyAsync(cancelled ? $"Timer '{intent.TimerId}' cancelled." : $"No running timer '{intent.TimerId}'.");
    }

    private static async Task ProcessListTimers(ListTimersIntent intent, IntentContext context)
    {
        var timers = await context.Timers.ListAsync();
        var now = context.Clock.GetUtcNow();
        await context.NotifyAsync(timers.Count == 0
            ? "No timers running."
            : string.Join("; ", timers.Select(t => t.DueAt > now ? $"{t.Id} '{t.Label}': {Describe(t.DueAt - now)} left" : $"{t.Id} '{t.Label}': due, about to fire")));
    }
}
