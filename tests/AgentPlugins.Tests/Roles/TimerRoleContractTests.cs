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
    [InlineData("60s", "tea", true)]
    [InlineData("07:30", "tea", true)]
    [InlineData("60s", "", false)]
    [InlineData("60s", "  ", false)]
    [InlineData(null, "tea", false)]
    public void CreateTimerIntent_needs_a_due_time_and_a_label(string? when, string label, bool valid)
    {
        var due = when is null ? null : TimerDue.TryParse(when, out var parsed, out _) ? parsed : throw new ArgumentException(when);
        var intent = (Intent)Activator.CreateInstance(IntentType("CreateTimerIntent"), due, label, null)!;
        Assert.Equal(valid, intent.Validate());
    }

    [Theory]
    [InlineData("t1", true)]
    [InlineData("tea", true)]
    [InlineData("", false)]
    [InlineData(" ", false)]
    public void CancelTimerIntent_needs_an_id_or_label(string timerId, bool valid)
    {
        var intent = (Intent)Activator.CreateInstance(IntentType("CancelTimerIntent"), timerId)!;
        Assert.Equal(valid, intent.Validate());
    }

    [Fact]
    public void ListTimersIntent_carries_nothing_and_is_always_valid()
    {
        var type = IntentType("ListTimersIntent");
        Assert.DoesNotContain(type.GetProperties(), p => p.DeclaringType == type && p.Name != "EqualityContract");
        Assert.True(((Intent)Activator.CreateInstance(type)!).Validate());
    }

    [Fact]
    public void Each_action_is_its_own_intent_whose_required_values_are_not_nullable()
    {
        var intents = _timer.Role!.GetType().Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Intent))).Select(t => t.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["CancelTimerIntent", "CreateTimerIntent", "ListTimersIntent"], intents);

        var nullability = new System.Reflection.NullabilityInfoContext();
        var create = IntentType("CreateTimerIntent");
        Assert.Null(create.GetProperty("Action"));
        Assert.Equal(System.Reflection.NullabilityState.NotNull, nullability.Create(create.GetProperty("Due")!).ReadState);
        Assert.Equal(System.Reflection.NullabilityState.NotNull, nullability.Create(create.GetProperty("Label")!).ReadState);
        Assert.Equal(System.Reflection.NullabilityState.Nullable, nullability.Create(create.GetProperty("FollowUp")!).ReadState);
        Assert.Equal(System.Reflection.NullabilityState.NotNull, nullability.Create(IntentType("CancelTimerIntent").GetProperty("TimerId")!).ReadState);
    }

    [Fact]
    public void Registration_holds_event_handlers_tools_and_one_intent_handler_per_action()
    {
        var registration = _timer.Registration!;
        Assert.Contains(registration.Subscriptions, s => s.EventType == Events.TimerExpired);
        Assert.Equal(["cancel_timer", "list_timers", "set_timer"], _timer.Tools!.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["CancelTimerIntent", "CreateTimerIntent", "ListTimersIntent"],
            registration.IntentHandlers.Select(h => h.IntentType.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData(" /timer list_timers ", "/timer list_timers")]
    public async Task Set_timer_returns_a_create_intent_with_the_parsed_due_time(string followUp, string? expected)
    {
        var tool = await CallAsync("set_timer", new() { ["duration"] = "5m", ["label"] = "tea", ["followUp"] = followUp });

        Assert.Equal((true, "Setting a 5 minute timer for 'tea'."), (tool.Success, tool.Message));
        var intent = Assert.Single(tool.Intents);
        Assert.Equal("CreateTimerIntent", intent.GetType().Name);
        Assert.Equal(TimeSpan.FromMinutes(5), ((TimerDue)Property(intent, "Due")!).After);
        Assert.Equal(("tea", expected), ((string?)Property(intent, "Label"), (string?)Property(intent, "FollowUp")));
        Assert.True(intent.Validate());
    }

    [Fact]
    public async Task Cancel_and_list_return_their_own_intents_and_list_keeps_its_reply_text()
    {
        var cancel = await CallAsync("cancel_timer", new() { ["timerId"] = "t3" });
        var list = await CallAsync("list_timers", new());

        Assert.Equal(("CancelTimerIntent", "t3"), (Assert.Single(cancel.Intents).GetType().Name, (string?)Property(cancel.Intents[0], "TimerId")));
        Assert.Equal("Listing your timers.", list.Message);
        Assert.Equal("ListTimersIntent", Assert.Single(list.Intents).GetType().Name);
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

    private static object? Property(Intent intent, string name) => intent.GetType().GetProperty(name)!.GetValue(intent);

    private Type IntentType(string name) => _timer.Role!.GetType().Assembly.GetTypes().Single(t => t.Name == name);

    private async Task<ToolResult> CallAsync(string tool, Microsoft.SemanticKernel.KernelArguments arguments) =>
        (await _timer.Tools![tool].InvokeAsync(new Microsoft.SemanticKernel.Kernel(), arguments)).GetValue<ToolResult>()!;
}
