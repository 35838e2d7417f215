using AgentPlugins.Sdk;
using AgentPlugins.Testing;

namespace RoleTests;

// The timer role, tested the way the origin's "LLM-safe testing patterns" ask: registration
// inspected, the pure event handler called with an event and its intents checked, tools called by
// name as the model calls them, intent handlers run against recording fakes.
public sealed class TimerRoleTests : IAsyncLifetime
{
    private RoleHarness _timer = null!;

    public async Task InitializeAsync() => _timer = await RoleHarness.LoadAsync(RoleFiles.Path("timer.cs"));

    public Task DisposeAsync()
    {
        _timer.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Registers_its_event_tools_and_intents()
    {
        Assert.Equal("timer", _timer.Config.Name);
        Assert.Equal([Events.TimerExpired], _timer.Registration.Events);
        Assert.Equal(["cancel_timer", "list_timers", "set_timer"], _timer.Registration.Tools.Select(t => t.Name));
        Assert.All(_timer.Registration.Tools, t => Assert.False(string.IsNullOrWhiteSpace(t.Description)));
        var duration = _timer.Registration.Tool("set_timer").Parameters.Single(p => p.Name == "duration");
        Assert.True(duration.IsRequired);
        Assert.Contains("5m", duration.Description, StringComparison.Ordinal);
        Assert.Equal(["CreateTimerIntent", "CancelTimerIntent", "ListTimersIntent"], _timer.Registration.IntentTypes);
        Assert.Empty(_timer.Warnings);
    }

    [Fact]
    public void An_expired_timer_notifies_its_user_on_its_channel_and_audits()
    {
        var expired = new BusEvent(Events.TimerExpired, new Dictionary<string, string>
        {
            [TimerData.Id] = "t7",
            [TimerData.Label] = "tea",
            [TimerData.LateByMs] = "0",
        });

        var intents = _timer.Raise(expired, new EventContext("slack", "ana", _timer.Clock.GetUtcNow(), "timers"));

        var notification = intents.SingleOf<NotificationIntent>();
        Assert.Equal("Timer 'tea' is done.", notification.Message);
        Assert.Equal(("slack", "ana", Priority.High), (notification.Channel, notification.User, notification.Priority));
        Assert.Equal("timer_expired", intents.SingleOf<AuditIntent>().Action);
        Assert.Empty(intents.OfType<WorkflowIntent>());
        Assert.Empty(intents.Invalid());
    }

    [Fact]
    public void A_late_timer_with_a_follow_up_says_how_late_and_runs_the_follow_up()
    {
        var intents = _timer.Raise(Events.TimerExpired, new Dictionary<string, string>
        {
            [TimerData.Label] = "bread",
            [TimerData.LateByMs] = "4200",
            [TimerData.FollowUp] = "/timer set_timer 5m cool",
        });

        Assert.Equal("Timer 'bread' is done (4 s late).", intents.SingleOf<NotificationIntent>().Message);
        Assert.Equal("/timer set_timer 5m cool", intents.SingleOf<WorkflowIntent>().OriginalInstruction);
    }

    [Fact]
    public async Task Set_timer_reads_the_duration_and_returns_a_valid_create_intent()
    {
        var result = await _timer.CallToolAsync("set_timer", new { duration = "5m", label = "tea" });

        Assert.True(result.Success);
        Assert.Equal("Setting a 5 minute timer for 'tea'.", result.Message);
        var create = result.Intents.SingleNamed("CreateTimerIntent");
        Assert.True(create.IsValid);
        Assert.Equal("tea", create.Get<string>("Label"));
        Assert.Equal(TimeSpan.FromMinutes(5), create.Get<TimerDue>("Due").After);
        Assert.Null(create.Get<string?>("FollowUp"));
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5m")]
    [InlineData("")]
    public async Task Set_timer_refuses_what_is_not_a_duration_and_asks_for_nothing(string duration)
    {
        var result = await _timer.CallToolAsync("set_timer", new { duration });

        Assert.False(result.Success);
        Assert.Contains("e.g. 90s, 5m", result.Message, StringComparison.Ordinal);
        Assert.Empty(result.Intents);
    }

    [Fact]
    public async Task A_command_line_binds_like_a_typed_slash_command()
    {
        var result = await _timer.CommandAsync("set_timer 07:30 \"wake up\" followUp=\"/timer list_timers\"");

        var create = result.Intents.SingleNamed("CreateTimerIntent");
        Assert.Equal("wake up", create.Get<string>("Label"));
        Assert.Equal("07:30", create.Get<string>("Due"));
        Assert.Equal("/timer list_timers", create.Get<string>("FollowUp"));
    }

    [Fact]
    public async Task A_test_that_calls_a_tool_wrongly_is_told_how()
    {
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => _timer.CallToolAsync("snooze"));
        Assert.Contains("Its tools: cancel_timer, list_timers, set_timer", unknown.Message, StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<ArgumentException>(() => _timer.CallToolAsync("set_timer", new { label = "tea" }));
        Assert.Contains("Missing argument 'duration'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_a_timer_schedules_it_for_the_user_and_confirms_with_its_id()
    {
        var set = await _timer.CallToolAsync("set_timer", new { duration = "90s", label = "eggs" });

        await _timer.HandleAllAsync(set.Intents);

        var timer = Assert.Single(_timer.Timers.Pending);
        Assert.Equal(("t1", "eggs", "tester"), (timer.Id, timer.Label, timer.User));
        Assert.Equal(_timer.Clock.GetUtcNow().AddSeconds(90), timer.DueAt);
        Assert.Equal("Timer 'eggs' set (t1), done at 09:01:30.", Assert.Single(_timer.Notifications).Message);
    }

    [Fact]
    public async Task A_refused_timer_tells_the_user_why()
    {
        _timer.Timers.RefuseNext("you have 20 timers already (timers:maxPerUser)");

        await _timer.HandleAllAsync((await _timer.CallToolAsync("set_timer", new { duration = "5m" })).Intents);

        Assert.Empty(_timer.Timers.Pending);
        Assert.Equal("Timer 'timer' not set: you have 20 timers already (timers:maxPerUser)", Assert.Single(_timer.Notifications).Message);
    }

    [Fact]
    public async Task Listing_shows_time_left_on_the_clock_and_cancelling_by_label_removes_it()
    {
        await _timer.HandleAllAsync((await _timer.CallToolAsync("set_timer", new { duration = "10m", label = "pasta" })).Intents);
        _timer.Clock.Advance(TimeSpan.FromMinutes(4));
        _timer.ClearRecorded();

        await _timer.HandleAllAsync((await _timer.CallToolAsync("list_timers")).Intents);
        await _timer.HandleAllAsync((await _timer.CommandAsync("cancel_timer pasta")).Intents);
        await _timer.HandleAllAsync((await _timer.CommandAsync("cancel_timer pasta")).Intents);

        Assert.Equal(["t1 'pasta': 6 minute left", "Timer 'pasta' cancelled.", "No running timer 'pasta'."], _timer.Notifications.Select(n => n.Message));
        Assert.Equal(["t1"], _timer.Timers.Cancelled);
    }

    [Fact]
    public async Task A_timer_set_by_the_role_expires_into_the_event_handler()
    {
        await _timer.HandleAllAsync((await _timer.CallToolAsync("set_timer", new { duration = "1m", label = "tea" })).Intents);
        var timer = Assert.Single(_timer.Timers.Pending);

        var intents = _timer.Raise(_timer.Timers.ExpiryOf(timer));

        Assert.Equal("Timer 'tea' is done.", intents.SingleOf<NotificationIntent>().Message);
        Assert.Empty(_timer.Timers.Pending);
    }

    [Fact]
    public async Task A_cancel_intent_made_by_the_test_runs_like_one_from_the_tool()
    {
        await _timer.HandleAsync(_timer.NewIntent("CancelTimerIntent", "t9"));

        Assert.Equal("No running timer 't9'.", Assert.Single(_timer.Notifications).Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _timer.HandleAsync(_timer.NewIntent("CancelTimerIntent", " ")));
    }
}
