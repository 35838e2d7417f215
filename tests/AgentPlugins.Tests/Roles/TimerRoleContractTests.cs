using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Roles;

/// <summary>The sample timer role, compiled from roles/timer.cs exactly as the host compiles it.</summary>
public sealed class TimerRoleContractTests : IDisposable
{
    private readonly RoleGeneration _timer = RoleFactory.FromFile(Repository.SampleRole("timer.cs"));

    public void Dispose() => _timer.Unload();

    [Fact]
    public void Config_is_complete()
    {
        var config = _timer.Config;
        Assert.Equal("timer", config.Name);
        Assert.Equal(LlmTier.Weak, config.Llm);
        Assert.True(config.FastReply);
        Assert.Empty(RoleConfigRules.Check(config));
    }

    [Theory]
    [InlineData("create", null, "60s", "tea", true)]
    [InlineData("create", null, "07:30", "tea", true)]
    [InlineData("create", null, "60s", "", false)]
    [InlineData("create", null, null, "tea", false)]
    [InlineData("cancel", "t1", null, null, true)]
    [InlineData("cancel", null, null, null, false)]
    [InlineData("list", null, null, null, true)]
    [InlineData("explode", null, null, null, false)]
    public void TimerIntent_validates_itself(string action, string? timerId, string? when, string? label, bool valid)
    {
        var due = when is null ? null : TimerDue.TryParse(when, out var parsed, out _) ? parsed : throw new ArgumentException(when);
        var intent = (Intent)Activator.CreateInstance(TimerIntentType(), action, timerId, due, label, null)!;
        Assert.Equal(valid, intent.Validate());
    }

    [Fact]
    public void Registration_holds_event_handlers_tools_and_intent_handlers()
    {
        var registration = _timer.Registration!;
        Assert.Contains(registration.Subscriptions, s => s.EventType == Events.TimerExpired);
        Assert.Equal(["cancel_timer", "list_timers", "set_timer"], _timer.Tools!.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Contains(registration.IntentHandlers, h => h.IntentType == TimerIntentType());
    }

    [Fact]
    public void Expiry_handler_is_pure_and_returns_a_valid_notification_and_audit()
    {
        var handler = _timer.Registration!.Subscriptions.Single(s => s.EventType == Events.TimerExpired).Handler;
        var expired = new BusEvent(Events.TimerExpired, new Dictionary<string, string>
        {
            [TimerData.Id] = "t7",
            [TimerData.Label] = "tea",
            [TimerData.DueAt] = "2026-11-24T10:00:00.0000000+00:00",
        });
        var context = new EventContext("console", "ann", DateTimeOffset.Parse("2026-11-24T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), "timers");

        var first = handler(expired, context).ToList();
        var second = handler(expired, context).ToList();

        var notification = Assert.Single(first.OfType<NotificationIntent>());
        Assert.True(notification.Validate());
        Assert.Contains("tea", notification.Message, StringComparison.Ordinal);
        Assert.Equal(("console", "ann"), (notification.Channel, notification.User));
        Assert.True(Assert.Single(first.OfType<AuditIntent>()).Validate());
        Assert.Empty(first.OfType<WorkflowIntent>());
        Assert.Equal(first.Select(i => i with { CreatedAt = default }), second.Select(i => i with { CreatedAt = default }));
    }

    [Fact]
    public void Expiry_with_a_follow_up_also_returns_a_workflow()
    {
        var handler = _timer.Registration!.Subscriptions.Single(s => s.EventType == Events.TimerExpired).Handler;
        var expired = new BusEvent(Events.TimerExpired, new Dictionary<string, string> { [TimerData.Label] = "bread", [TimerData.FollowUp] = "/timer list_timers" });

        var workflow = Assert.Single(handler(expired, new EventContext("console", null, DateTimeOffset.UnixEpoch, "timers")).OfType<WorkflowIntent>());

        Assert.Equal("/timer list_timers", workflow.OriginalInstruction);
        Assert.True(workflow.Validate());
    }

    [Fact]
    public async Task Set_timer_with_a_bad_duration_is_a_failed_result_not_an_exception()
    {
        var setTimer = _timer.Tools!["set_timer"];
        var result = await setTimer.InvokeAsync(new Microsoft.SemanticKernel.Kernel(), new() { ["duration"] = "5 parsecs", ["label"] = "tea" });

        var tool = result.GetValue<ToolResult>()!;
        Assert.False(tool.Success);
        Assert.Contains("5m", tool.Message, StringComparison.Ordinal);
        Assert.Empty(tool.Intents);
    }

    private Type TimerIntentType() => _timer.Role!.GetType().Assembly.GetTypes().Single(t => t.Name == "TimerIntent");
}
