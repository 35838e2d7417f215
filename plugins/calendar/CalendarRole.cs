using System.ComponentModel;
using System.Globalization;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Calendar;

/// <summary>Tell the user what is on their calendar today.</summary>
public sealed record AgendaTodayIntent : Intent
{
    public override bool Validate() => true;
}

/// <summary>Tell the user the next event on their calendar.</summary>
public sealed record NextEventIntent : Intent
{
    public override bool Validate() => true;
}

/// <summary>Set a timer that reminds the user <paramref name="MinutesBefore"/> minutes before the next event.</summary>
public sealed record RemindNextIntent(int MinutesBefore) : Intent
{
    public override bool Validate() => MinutesBefore is >= 0 and <= 1440;
}

/// <summary>
/// The calendar role: "what is on today / next" from an iCalendar (.ics) file, and a reminder
/// before the next event. Settings (plugins.json <c>plugins[].settings</c>): <c>ics</c>, the file
/// (relative to the host's working folder); <c>timeZone</c>, an IANA id (default: the machine's).
/// </summary>
public sealed class CalendarRole : IRole
{
    private const int Lookahead = 60;

    public RoleConfig Config { get; } = new(
        Name: "calendar",
        Version: "1.0.0",
        Description: "What is on the calendar today and next, from an iCalendar file",
        WhenToUse: "Questions about today's agenda or the next event, and reminders before an event",
        Llm: LlmTier.Weak,
        FastReply: true);

    public void Register(RoleBuilder role)
    {
        role.Tools(this);
        role.Handle<AgendaTodayIntent>(ProcessToday);
        role.Handle<NextEventIntent>(ProcessNext);
        role.Handle<RemindNextIntent>(ProcessRemindNext);
    }

    [KernelFunction("today"), Description("List what is on the calendar today")]
    public ToolResult Today() => ToolResult.Ok("Looking at today's calendar.", new AgendaTodayIntent());

    [KernelFunction("next"), Description("Say what the next event on the calendar is")]
    public ToolResult Next() => ToolResult.Ok("Looking for the next event.", new NextEventIntent());

    [KernelFunction("remind_next"), Description("Set a reminder some minutes before the next event")]
    public ToolResult RemindNext([Description("How many minutes before the event, 0 to 1440")] int minutesBefore = 10) =>
        minutesBefore is < 0 or > 1440
            ? ToolResult.Fail("Say how many minutes before the event, from 0 to 1440.")
            : ToolResult.Ok($"Setting a reminder {minutesBefore} minutes before the next event.", new RemindNextIntent(minutesBefore));

    private static async Task ProcessToday(AgendaTodayIntent intent, IntentContext context)
    {
        if (await ReadAsync(context) is not { } calendar)
        {
            return;
        }

        var now = TimeZoneInfo.ConvertTime(context.Clock.GetUtcNow(), calendar.Zone);
        var midnight = new DateTimeOffset(now.Date, now.Offset);
        var items = Agenda.Between(calendar.Text, midnight, midnight.AddDays(1), calendar.Zone);
        await context.NotifyAsync(items.Count == 0
            ? "Nothing on the calendar today."
            : "Today: " + string.Join("; ", items.Select(i => $"{i.Start.ToString("HH:mm", CultureInfo.InvariantCulture)} {i.Summary}")));
    }

    private static async Task ProcessNext(NextEventIntent intent, IntentContext context)
    {
        if (await ReadAsync(context) is not { } calendar)
        {
            return;
        }

        var next = NextOf(calendar, context.Clock.GetUtcNow());
        await context.NotifyAsync(next is null
            ? $"Nothing on the calendar in the next {Lookahead} days."
            : $"Next: {next.Summary} at {next.Start.ToString("ddd yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}.");
    }

    private static async Task ProcessRemindNext(RemindNextIntent intent, IntentContext context)
    {
        if (await ReadAsync(context) is not { } calendar)
        {
            return;
        }

        var now = context.Clock.GetUtcNow();
        var next = NextOf(calendar, now.AddMinutes(intent.MinutesBefore));
        if (next is null)
        {
            await context.NotifyAsync($"No event far enough ahead for a reminder {intent.MinutesBefore} minutes before it.");
            return;
        }

        var label = $"{next.Summary} at {next.Start.ToString("HH:mm", CultureInfo.InvariantCulture)}";
        var result = await context.Timers.ScheduleAsync(TimerDue.In(next.Start.AddMinutes(-intent.MinutesBefore) - now), label[..Math.Min(label.Length, 60)]);
        await context.NotifyAsync(result.Scheduled
            ? $"Reminder set ({result.Timer.Id}) for {label}, {intent.MinutesBefore} minutes before."
            : $"Reminder not set: {result.Refusal}");
    }

    private static AgendaItem? NextOf((string Text, TimeZoneInfo Zone) calendar, DateTimeOffset from) =>
        Agenda.Between(calendar.Text, from, from.AddDays(Lookahead), calendar.Zone) is [var first, ..] ? first : null;

    // The file is read on each question: editing it needs no reload.
    private static async Task<(string Text, TimeZoneInfo Zone)?> ReadAsync(IntentContext context)
    {
        if (context.Settings["ics"] is not { Length: > 0 } path)
        {
            await context.NotifyAsync("The calendar plugin has no 'ics' setting: set plugins[].settings.ics in plugins.json to an .ics file.");
            return null;
        }

        var zone = TimeZoneInfo.Local;
        if (context.Settings["timeZone"] is { Length: > 0 } id && !TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone))
        {
            await context.NotifyAsync($"The calendar's timeZone setting '{id}' is not a time zone this machine knows.");
            return null;
        }

        try
        {
            return (await File.ReadAllTextAsync(path, context.Cancellation), zone!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await context.NotifyAsync($"The calendar file {path} cannot be read: {ex.Message}");
            return null;
        }
    }
}
