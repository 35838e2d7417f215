// The timer role: set, cancel and list timers and alarms, and tell the user when one is done.
// Timers belong to the host (durable in SQLite), so they keep running while this file is edited,
// reloaded or deleted, and across host restarts.
using System.ComponentModel;
using System.Globalization;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

// ── 1. Intents this role owns ─────────────────────────────────────────────────────────────

/// <summary>Create, cancel or list timers. Only the intent handler below touches the timer service.</summary>
public sealed record TimerIntent(
    string Action,
    string? TimerId = null,
    TimerDue? Due = null,
    string? Label = null,
    string? FollowUp = null) : Intent
{
    public override bool Validate() => Action switch
    {
        "create" => Due is not null && !string.IsNullOrWhiteSpace(Label),
        "cancel" => !string.IsNullOrWhiteSpace(TimerId),
        "list" => true,
        _ => false,
    };
}

public sealed class TimerRole : IRole
{
    // ── 2. Role metadata ──────────────────────────────────────────────────────────────────

    public RoleConfig Config { get; } = new(
        Name: "timer",
        Version: "3.0.0",
        Description: "Timer and alarm management",
        Llm: LlmTier.Weak,
        FastReply: true,
        WhenToUse: "Set timers, alarms and time-based reminders; cancel or list them");

    // ── 3. Registration ───────────────────────────────────────────────────────────────────

    public void Register(RoleBuilder role)
    {
        role.On(Events.TimerExpired, OnTimerExpired);
        role.Tools(this);
        role.Handle<TimerIntent>(ProcessTimerIntent);
    }

    // ── 4. Event handlers: pure, event in, intents out ────────────────────────────────────

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

    // ── 5. Tools: what the model (or a /timer command) can call ───────────────────────────

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
        return ToolResult.Ok($"Setting {what} for '{label}'.", new TimerIntent("create", Due: due, Label: label, FollowUp: followUp));
    }

    [KernelFunction("cancel_timer"), Description("Cancel a timer by its id or its label")]
    public ToolResult CancelTimer([Description("The timer's id (t1) or label (tea)")] string timerId) =>
        string.IsNullOrWhiteSpace(timerId)
            ? ToolResult.Fail("Say which timer to cancel: its id (t1) or its label (tea).")
            : ToolResult.Ok($"Cancelling timer '{timerId}'.", new TimerIntent("cancel", TimerId: timerId));

    [KernelFunction("list_timers"), Description("List the user's running timers with the time left")]
    public ToolResult ListTimers() => ToolResult.Ok("Listing your timers.", new TimerIntent("list"));

    // ── 6. Helpers ────────────────────────────────────────────────────────────────────────

    private static string Describe(TimeSpan length) => length switch
    {
        { TotalSeconds: < 60 } => $"{length.TotalSeconds:0} second",
        { TotalMinutes: < 60 } when length.Seconds == 0 => $"{length.TotalMinutes:0} minute",
        { TotalHours: < 24 } => length.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture),
        _ => length.ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture),
    };

    // ── 7. Intent handlers: the only place with side effects, through the host's services ──

    private static async Task ProcessTimerIntent(TimerIntent intent, IntentContext context)
    {
        var user = context.Origin.User;
        var channel = context.Origin.Channel;
        switch (intent.Action)
        {
            case "create":
                var request = new TimerRequest(intent.Due!, intent.Label!, user, channel, intent.FollowUp is { Length: > 0 } f ? f : null);
                var result = await context.Timers.ScheduleAsync(request, context.Cancellation);
                await context.NotifyAsync(result.Scheduled
                    ? $"Timer '{result.Timer.Label}' set ({result.Timer.Id}), done at {result.Timer.DueAt:HH:mm:ss}."
                    : $"Timer '{intent.Label}' not set: {result.Refusal}");
                break;

            case "cancel":
                var cancelled = await context.Timers.CancelAsync(intent.TimerId!, user, context.Cancellation);
                await context.NotifyAsync(cancelled ? $"Timer '{intent.TimerId}' cancelled." : $"No running timer '{intent.TimerId}'.");
                break;

            case "list":
                var timers = await context.Timers.ListAsync(user, channel, context.Cancellation);
                var now = context.Clock.GetUtcNow();
                await context.NotifyAsync(timers.Count == 0
                    ? "No timers running."
                    : string.Join("; ", timers.Select(t => $"{t.Id} '{t.Label}': {Describe(t.DueAt - now)} left")));
                break;
        }
    }
}
