using AgentPlugins.Host.Timers;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Tests.Timers;

/// <summary>
/// Owned timers: a timer a role sets goes back to that role only (the reminder no longer also prints
/// the timer role's "is done"); while the role is absent its expiry waits and is delivered once when it
/// is back, or after timers:ownerGrace is audited as undeliverable and the user told.
/// </summary>
public sealed class OwnedTimerTests
{
    private readonly FakeTimeProvider _clock = new(TimerRig.Start);

    [Fact]
    public async Task A_reminders_expiry_reaches_the_reminder_role_only_with_its_payload_and_runs_the_follow_up()
    {
        await using var runtime = await StartAsync();

        await runtime.AskAsync("/reminder remind_me 5m 'call mum' \"followUp=/timer set_timer 2m tea\"");
        await runtime.Console.WaitForAsync(m => m.Text == "Reminder set (t1) for 12:05:00.");
        await AdvanceAsync(runtime, TimeSpan.FromMinutes(5));

        await runtime.Console.WaitForAsync(m => m.Text == "Reminder: call mum");
        await runtime.Console.WaitForAsync(m => m.Text.StartsWith("Timer 'tea' set", StringComparison.Ordinal));
        await SettleAsync(runtime);
        Assert.DoesNotContain(runtime.Console.Messages, m => m.Text.StartsWith("Timer 'reminder' is done", StringComparison.Ordinal));
        Assert.Equal(1, runtime.Console.Messages.Count(m => m.Text == "Reminder: call mum"));

        // The timer role's own timers still reach it.
        await AdvanceAsync(runtime, TimeSpan.FromMinutes(2));
        await runtime.Console.WaitForAsync(m => m.Text == "Timer 'tea' is done.");
        Assert.DoesNotContain(runtime.Console.Messages, m => m.Text == "Reminder: tea");
    }

    [Fact]
    public async Task While_the_owner_is_deleted_the_expiry_waits_and_is_delivered_once_when_it_is_restored()
    {
        await using var runtime = await StartAsync();
        await runtime.AskAsync("/reminder remind_me 5m stretch");
        await runtime.Console.WaitForAsync(m => m.Text == "Reminder set (t1) for 12:05:00.");
        var source = File.ReadAllText(runtime.PathOf("reminder.cs"));
        await runtime.RetireAsync(runtime.PathOf("reminder.cs"));

        await AdvanceAsync(runtime, TimeSpan.FromMinutes(10));
        Assert.DoesNotContain(runtime.Console.Messages, m => m.Text is "Reminder: stretch" or "Timer 'reminder' is done.");

        Assert.Empty(await runtime.LoadSourceAsync(runtime.PathOf("reminder.cs"), source));
        await runtime.Console.WaitForAsync(m => m.Text == "Reminder: stretch");
        await SettleAsync(runtime);
        await AdvanceAsync(runtime, TimeSpan.FromMinutes(1));
        Assert.Equal(1, runtime.Console.Messages.Count(m => m.Text == "Reminder: stretch"));
        Assert.Equal(1, TimerRig.CountInFile(Path.Combine(runtime.DataFolder, "timers.db"), "fired"));
    }

    [Fact]
    public async Task An_owner_absent_past_the_grace_gets_nothing_the_audit_records_it_and_the_user_is_told()
    {
        await using var runtime = await StartAsync(new TimersOptions { TimeZone = "UTC", OwnerGrace = TimeSpan.FromHours(1) });
        await runtime.AskAsync("/reminder remind_me 5m stretch");
        await runtime.Console.WaitForAsync(m => m.Text == "Reminder set (t1) for 12:05:00.");
        var source = File.ReadAllText(runtime.PathOf("reminder.cs"));
        await runtime.RetireAsync(runtime.PathOf("reminder.cs"));

        await AdvanceAsync(runtime, TimeSpan.FromMinutes(5));
        await AdvanceAsync(runtime, TimeSpan.FromMinutes(59));
        Assert.DoesNotContain(runtime.Console.Messages, m => m.Text.Contains("could not be delivered", StringComparison.Ordinal));
        await AdvanceAsync(runtime, TimeSpan.FromMinutes(1));

        var told = await runtime.Console.WaitForAsync(m => m.Text.StartsWith("Your timer 'reminder' (t1) could not be delivered", StringComparison.Ordinal));
        Assert.Contains("role reminder was not serving for 01:00:00", told.Text, StringComparison.Ordinal);
        await WaitUntil(() => runtime.Audit.ReadLatest(20).Any(r => r.Action == "timer_undeliverable" && r.Details.StartsWith("t1 'reminder'", StringComparison.Ordinal)));

        Assert.Empty(await runtime.LoadSourceAsync(runtime.PathOf("reminder.cs"), source));
        await SettleAsync(runtime);
        Assert.DoesNotContain(runtime.Console.Messages, m => m.Text == "Reminder: stretch");
        Assert.Equal(1, TimerRig.CountInFile(Path.Combine(runtime.DataFolder, "timers.db"), "fired"));
    }

    [Fact]
    public async Task A_payload_over_the_cap_is_refused_with_the_reason()
    {
        await using var runtime = await StartAsync();

        var result = await runtime.Timers.ScheduleAsync(new TimerRequest(TimerDue.In(TimeSpan.FromMinutes(1)), "big", "ann", "console", Owner: "reminder", Payload: new string('x', TimerRequest.MaxPayloadLength + 1)));

        Assert.False(result.Scheduled);
        Assert.Contains("A timer's payload may have at most 4,096 characters; this one has 4,097.", result.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timers_file_from_before_owners_is_migrated_and_its_timers_reach_every_listener_as_before()
    {
        await using var runtime = Create();
        var path = Path.Combine(runtime.DataFolder, "timers.db");
        Directory.CreateDirectory(runtime.DataFolder);
        var due = TimerRig.Start.AddMinutes(1).ToUnixTimeMilliseconds();
        using (var old = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = $"""
                PRAGMA auto_vacuum=INCREMENTAL;
                CREATE TABLE timers (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL, user TEXT NULL, channel TEXT NOT NULL,
                    follow_up TEXT NULL, due_at INTEGER NOT NULL, created_at INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'fired', 'cancelled')), done_at INTEGER NULL);
                CREATE TABLE timer_effects (delivery TEXT NOT NULL, effect TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (delivery, effect)) WITHOUT ROWID;
                INSERT INTO timers (label, user, channel, due_at, created_at, state) VALUES ('old tea', 'tester', 'console', {due}, {due - 60_000}, 'pending');
                PRAGMA application_id={TimerStore.Schema.ApplicationId}; PRAGMA user_version=1;
                """;
            create.ExecuteNonQuery();
        }

        await runtime.StartAsync();
        Assert.Empty(runtime.StartupFailures);
        await AdvanceAsync(runtime, TimeSpan.FromMinutes(1));

        await runtime.Console.WaitForAsync(m => m.Text == "Timer 'old tea' is done.");
        await runtime.Console.WaitForAsync(m => m.Text == "Reminder: old tea");
        var listed = await runtime.Timers.ScheduleAsync(new TimerRequest(TimerDue.In(TimeSpan.FromMinutes(1)), "new", "tester", "console", Owner: "timer"));
        Assert.Equal("timer", listed.Timer!.Owner);
    }

    private TestRuntime Create(TimersOptions? timers = null) => TestRuntime.Create(
        new Dictionary<string, string>
        {
            ["timer.cs"] = File.ReadAllText(Repository.SampleRole("timer.cs")),
            ["reminder.cs"] = File.ReadAllText(Repository.SampleRole("reminder.cs")),
        },
        _clock,
        options => options with { Timers = timers ?? new TimersOptions { TimeZone = "UTC" } });

    private async Task<TestRuntime> StartAsync(TimersOptions? timers = null)
    {
        var runtime = await Create(timers).StartAsync();
        Assert.Empty(runtime.StartupFailures);
        return runtime;
    }

    private async Task AdvanceAsync(TestRuntime runtime, TimeSpan by)
    {
        _clock.Advance(by);
        await SettleAsync(runtime);
    }

    private static async Task SettleAsync(TestRuntime runtime)
    {
        await runtime.Timers.FlushAsync();
        await runtime.Loop.InvokeAsync(() => { });
        await runtime.Timers.FlushAsync();
        await runtime.Loop.InvokeAsync(() => { });
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 400 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}
