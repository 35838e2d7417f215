// The reminder role: remind the user of something later, and optionally run a follow-up then.
// Its timers belong to this role: their expiry comes here only (never to the timer role), and
// waits while this file is being fixed or restored, to be delivered once it serves again.
using System.ComponentModel;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

// ── 1. Intents this role owns: one per action, each checks its own values ────────────────────

/// <summary>Remind the user of <paramref name="Text"/> when <paramref name="Due"/> comes, then run the follow-up if any.</summary>
public sealed record SetReminderIntent(TimerDue Due, string Text, string? FollowUp = null) : Intent
{
    public override bool Validate() => Due is not null && !string.IsNullOrWhiteSpace(Text) && Text.Length <= TimerRequest.MaxPayloadLength;
}

public sealed class ReminderRole : IRole
{
    // ── 2. Metadata: what the role is and when the router picks it ───────────────────────────

    public RoleConfig Config { get; } = new(
        Name: "reminder",
        Version: "1.0.0",
        Description: "Reminders with an optional follow-up",
        WhenToUse: "Remind the user of something later (in 20 minutes, at 18:00), optionally doing something then",
        Llm: LlmTier.Weak,
        FastReply: true);

    // ── 3. Registration: everything below, in this order ─────────────────────────────────────

    public void Register(RoleBuilder role)
    {
        role.On(Events.TimerExpired, OnTimerExpired);
        role.Tools(this);
        role.Handle<SetReminderIntent>(ProcessSetReminder);
    }

    // ── 4. Event handlers: pure, event in, intents out ───────────────────────────────────────
    // Only this role's own timers arrive here: what to say is the payload it set them with.

    private static IEnumerable<Intent> OnTimerExpired(BusEvent e, EventContext context)
    {
        yield return new NotificationIntent($"Reminder: {e.Get(TimerData.Payload) ?? e.Get(TimerData.Label)}", context.Channel, context.User, Priority.High);

        if (e.Get(TimerData.FollowUp) is { Length: > 0 } followUp)
        {
            yield return new WorkflowIntent("reminder_follow_up", followUp);
        }
    }

    // ── 5. Tools: what the model (or a /reminder command) can call; they return intents ──────

    [KernelFunction("remind_me"), Description("Remind the user of something later, optionally running a follow-up then")]
    public ToolResult RemindMe(
        [Description("When: in how long (20m, 1h30m) or a time of day (18:00, 7am)")] string when,
        [Description("What to remind of, e.g. call mum")] string text,
        [Description("An instruction to run at that time too, e.g. /timer set_timer 5m tea; empty for none")] string followUp = "")
    {
        if (!TimerDue.TryParse(when, out var due, out var error))
        {
            return ToolResult.Fail(error);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return ToolResult.Fail("Say what to remind of.");
        }

        var then = string.IsNullOrWhiteSpace(followUp) ? null : followUp.Trim();
        return ToolResult.Ok($"I will remind you of '{text.Trim()}' {Describe(due)}.", new SetReminderIntent(due, text.Trim(), then));
    }

    // ── 6. Helpers: private static functions ─────────────────────────────────────────────────

    private static string Describe(TimerDue due) => due.After is { } after ? $"in {after}" : $"at {due}";

    // ── 7. Intent handlers: the only side effects, through the context's host services ───────

    private static async Task ProcessSetReminder(SetReminderIntent intent, IntentContext context)
    {
        var result = await context.Timers.ScheduleAsync(intent.Due, "reminder", intent.FollowUp, payload: intent.Text);
        await context.NotifyAsync(result.Scheduled
            ? $"Reminder set ({result.Timer.Id}) for {result.Timer.DueAt:HH:mm:ss}."
            : $"Reminder not set: {result.Refusal}");
    }
}
