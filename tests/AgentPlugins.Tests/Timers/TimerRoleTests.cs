using AgentPlugins.Host.Requests;
using AgentPlugins.Host.Timers;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Tests.Timers;

/// <summary>The sample timer role (roles/timer.cs) in a real runtime, on a fake clock.</summary>
public sealed class TimerRoleTests
{
    private readonly FakeTimeProvider _clock = new(TimerRig.Start);

    [Fact]
    public async Task Set_timer_tells_the_user_when_it_is_set_and_when_it_is_done()
    {
        await using var runtime = await StartAsync();

        var reply = await runtime.AskAsync("/timer set_timer 5m tea");
        Assert.True(reply.Success, reply.Text);
        Assert.Equal("Setting a 5 minute timer for 'tea'.", reply.Text);
        await runtime.Console.WaitForAsync(m => m.Text == "Timer 'tea' set (t1), done at 12:05:00.");

        await AdvanceAsync(runtime, TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        Assert.DoesNotContain(runtime.Console.Messages, m => m.Text.StartsWith("Timer 'tea' is done", StringComparison.Ordinal));

        await AdvanceAsync(runtime, TimeSpan.FromMilliseconds(1));
        await runtime.Console.WaitForAsync(m => m.Text == "Timer 'tea' is done.");
        Assert.Equal(1, Done(runtime, "tea"));
    }

    [Theory]
    [InlineData("/timer set_timer -5m", "'-5m' is not a duration; use e.g. 90s, 5m")]
    [InlineData("/timer set_timer '5 parsecs'", "'5 parsecs' is not a duration; use e.g. 90s, 5m")]
    [InlineData("/timer set_timer ''", "No duration or time given; use e.g. 90s, 5m")]
    [InlineData("/timer set_timer 99999999999999999999999h", "too long a duration")]
    [InlineData("/timer set_timer 25:00", "'25:00' is not a time of day; use e.g. 07:30")]
    public async Task A_bad_duration_is_a_failed_tool_result_that_shows_an_accepted_form(string request, string expected)
    {
        await using var runtime = await StartAsync();

        var reply = await runtime.AskAsync(request);

        Assert.False(reply.Success);
        Assert.Contains(expected, reply.Text, StringComparison.Ordinal);
        Assert.Empty(await runtime.Timers.ListAsync("tester", "console"));
    }

    [Fact]
    public async Task A_timer_over_the_configured_limit_is_refused_with_the_reason()
    {
        await using var runtime = await StartAsync(new TimersOptions { TimeZone = "UTC", MaxDuration = TimeSpan.FromHours(1) });

        await runtime.AskAsync("/timer set_timer 2h pasta");

        await runtime.Console.WaitForAsync(m => m.Text == "Timer 'pasta' not set: 2 h 0 min is longer than the longest timer allowed here (1 h 0 min, timers:maxDuration).");
    }

    [Fact]
    public async Task An_alarm_at_a_time_of_day_uses_the_configured_time_zone()
    {
        // 12:00 UTC is 13:00 in Paris (CET).
        await using var runtime = await StartAsync(new TimersOptions { TimeZone = "Europe/Paris" });

        var reply = await runtime.AskAsync("/timer set_timer 13:30 stretch");
        Assert.Equal("Setting an alarm at 13:30 for 'stretch'.", reply.Text);
        await runtime.Console.WaitForAsync(m => m.Text == "Timer 'stretch' set (t1), done at 13:30:00.");

        await AdvanceAsync(runtime, TimeSpan.FromMinutes(30));
        await runtime.Console.WaitForAsync(m => m.Text == "Timer 'stretch' is done.");
    }

    [Fact]
    public async Task A_follow_up_instruction_runs_as_a_workflow_when_the_timer_is_done()
    {
        await using var runtime = await StartAsync();

        await runtime.AskAsync("/timer set_timer 1m tea \"followUp=/timer set_timer 2m eggs\"");
        await runtime.Console.WaitForAsync(m => m.Text.StartsWith("Timer 'tea' set", StringComparison.Ordinal));

        await AdvanceAsync(runtime, TimeSpan.FromMinutes(1));
        await runtime.Console.WaitForAsync(m => m.Text == "Timer 'tea' is done.");
        await runtime.Console.WaitForAsync(m => m.Text == "Timer 'eggs' set (t2), done at 12:03:00.");

        await AdvanceAsync(runtime, TimeSpan.FromMinutes(2));
        await runtime.Console.WaitForAsync(m => m.Text == "Timer 'eggs' is done.");
    }

    [Fact]
    public async Task Each_user_sets_lists_and_cancels_only_their_own_timers()
    {
        await using var runtime = await StartAsync();

        await AskAsAsync(runtime, "ann", "/timer set_timer 5m tea");
        await runtime.Console.WaitForAsync(m => m.User == "ann" && m.Text == "Timer 'tea' set (t1), done at 12:05:00.");
        await AskAsAsync(runtime, "bob", "/timer set_timer 9m tea");
        await runtime.Console.WaitForAsync(m => m.User == "bob" && m.Text == "Timer 'tea' set (t2), done at 12:09:00.");

        Assert.Equal(["t1"], (await runtime.Timers.ListAsync("ann", "console")).Select(t => t.Id));
        await AskAsAsync(runtime, "tester", "/timer list_timers");
        await runtime.Console.WaitForAsync(m => m.User == "tester" && m.Text == "No timers running.");

        await AskAsAsync(runtime, "bob", "/timer cancel_timer t1");
        await runtime.Console.WaitForAsync(m => m.User == "bob" && m.Text == "No running timer 't1'.");
        await AskAsAsync(runtime, "ann", "/timer cancel_timer tea");
        await runtime.Console.WaitForAsync(m => m.User == "ann" && m.Text == "Timer 'tea' cancelled.");

        await AskAsAsync(runtime, "bob", "/timer list_timers");
        await runtime.Console.WaitForAsync(m => m.User == "bob" && m.Text == "t2 'tea': 9 minute left");
        Assert.Empty(await runtime.Timers.ListAsync("ann", "console"));
    }

    [Fact]
    public async Task A_timer_survives_a_reload_of_the_timer_role()
    {
        await using var runtime = await StartAsync();
        await runtime.AskAsync("/timer set_timer 5m tea");
        await runtime.Console.WaitForAsync(m => m.Text.StartsWith("Timer 'tea' set", StringComparison.Ordinal));

        Assert.Empty(await runtime.LoadFileAsync(RolePath(runtime)));
        Assert.Equal(2, runtime.Roles.Status.Single().Generation);

        await AdvanceAsync(runtime, TimeSpan.FromMinutes(5));
        await runtime.Console.WaitForAsync(m => m.Text == "Timer 'tea' is done.");
        Assert.Equal(1, Done(runtime, "tea"));
    }

    [Fact]
    public async Task A_timer_that_comes_due_while_the_timer_role_is_deleted_fires_once_it_is_restored()
    {
        await using var runtime = await StartAsync();
        await runtime.AskAsync("/timer set_timer 5m tea");
        await runtime.Console.WaitForAsync(m => m.Text.StartsWith("Timer 'tea' set", StringComparison.Ordinal));
        var source = await File.ReadAllTextAsync(RolePath(runtime));

        File.Delete(RolePath(runtime));
        await runtime.RetireAsync(RolePath(runtime));
        await AdvanceAsync(runtime, TimeSpan.FromMinutes(6));
        Assert.Equal(0, Done(runtime, "tea"));
        Assert.Equal(1, TimerRig.CountInFile(Database(runtime), "firing"));

        await File.WriteAllTextAsync(RolePath(runtime), source);
        Assert.Empty(await runtime.LoadFileAsync(RolePath(runtime)));
        await runtime.Console.WaitForAsync(m => m.Text == "Timer 'tea' is done (60 s late).");
        await SettleAsync(runtime);
        Assert.Equal(1, Done(runtime, "tea"));
        Assert.Equal(1, TimerRig.CountInFile(Database(runtime), "fired"));
    }

    [Fact]
    public async Task After_a_crash_a_firing_timer_is_delivered_again_and_what_it_already_did_is_not_repeated()
    {
        await using var runtime = Create();

        // What a crash leaves: both timers claimed (firing); tea's notification had gone out, eggs' had not.
        var now = TimerRig.Start.ToUnixTimeMilliseconds();
        using (var store = new TimerStore(Database(runtime)))
        {
            store.Open();
            store.Insert("tea", "tester", "console", null, now - 5_000, now - 60_000);
            store.Insert("eggs", "tester", "console", null, now - 5_000, now - 60_000);
            Assert.Equal(2, store.ClaimDue(now, 10).Count);
            store.RecordEffect("t1", "notify:console:tester#1", now - 4_000);
        }

        await runtime.StartAsync();
        await runtime.Console.WaitForAsync(m => m.Text == "Timer 'eggs' is done (5 s late).");
        await SettleAsync(runtime);

        Assert.Equal(0, Done(runtime, "tea"));
        Assert.Equal(1, Done(runtime, "eggs"));
        Assert.Equal(1, runtime.Timers.Effects.Suppressed);
        Assert.Equal(2, TimerRig.CountInFile(Database(runtime), "fired"));
    }

    private static Task<Reply> AskAsAsync(TestRuntime runtime, string user, string text) =>
        runtime.Loop.InvokeAsync(() => runtime.Workflows.HandleAsync(new Request(text, "console", user), _ => Task.CompletedTask));

    private static string RolePath(TestRuntime runtime) => Path.Combine(runtime.RolesFolder, "timer.cs");

    private static string Database(TestRuntime runtime) => Path.Combine(runtime.Folder.Path, "data", "timers.db");

    private static int Done(TestRuntime runtime, string label) =>
        runtime.Console.Messages.Count(m => m.Text.StartsWith($"Timer '{label}' is done", StringComparison.Ordinal));

    private TestRuntime Create(TimersOptions? timers = null) => TestRuntime.Create(
        new Dictionary<string, string> { ["timer.cs"] = File.ReadAllText(Repository.SampleRole("timer.cs")) },
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

    // The worker carries out what was posted, the loop dispatches what it posted, the worker records the deliveries.
    private static async Task SettleAsync(TestRuntime runtime)
    {
        await runtime.Timers.FlushAsync();
        await runtime.Loop.InvokeAsync(() => { });
        await runtime.Timers.FlushAsync();
    }
}
