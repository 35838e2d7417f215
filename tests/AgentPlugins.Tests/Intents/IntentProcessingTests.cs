using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Intents;

public sealed class IntentProcessingTests
{
    private const string Roles = """
        using AgentPlugins.Sdk;

        public sealed record Greet(string Name) : Intent { public override bool Validate() => Name.Length > 0; }

        public sealed class GreeterRole : IRole
        {
            public RoleConfig Config { get; } = new("greeter", "1.0.0", "Greets", WhenToUse: "tests");

            public void Register(RoleBuilder role)
            {
                role.On("HELLO", (e, c) => [new Greet(e.Get("name") ?? "")]);
                role.On("BOOM", Explode);
                role.On("BOOM", (e, c) => [new NotificationIntent("second handler ran", c.Channel, c.User)]);
                role.On("LAZY_BOOM", LazyExplode);
                role.On("ORPHAN", (e, c) => [new Unhandled()]);
                role.On("ELSEWHERE", (e, c) => [new NotificationIntent("hi", "pager")]);
                role.Handle<Greet>(SayHello);
            }

            private static IEnumerable<Intent> Explode(BusEvent e, EventContext c) => throw new InvalidOperationException("kaboom");

            private static IEnumerable<Intent> LazyExplode(BusEvent e, EventContext c)
            {
                yield return new NotificationIntent("before", c.Channel);
                throw new InvalidOperationException("late kaboom");
            }

            private static Task SayHello(Greet greet, IntentContext context) =>
                context.NotifyAsync($"Hello, {greet.Name} (from {context.Role} on {context.Origin.Channel})");
        }

        public sealed record Unhandled : Intent { public override bool Validate() => true; }
        """;

    [Fact]
    public async Task A_valid_notification_is_delivered_and_counted()
    {
        await using var test = await TestRuntime.Create().StartAsync();

        await Submit(test, new NotificationIntent("tea is ready", "console", "ann", Priority.High));

        var message = await test.Console.WaitForAsync(m => m.Text == "tea is ready");
        Assert.Equal(("ann", Priority.High), (message.User, message.Priority));
        Assert.Equal(1, test.Intents.Stats.Processed);
        Assert.Equal(0, test.Intents.Stats.Failed);
    }

    [Fact]
    public async Task An_invalid_intent_is_counted_as_failed_with_its_error_and_never_run()
    {
        await using var test = await TestRuntime.Create().StartAsync();

        await Submit(test, new NotificationIntent("   "));

        var stats = test.Intents.Stats;
        Assert.Equal((0, 1), (stats.Processed, stats.Failed));
        Assert.Contains("invalid intent NotificationIntent", Assert.Single(stats.RecentFailures), StringComparison.Ordinal);
        Assert.Empty(test.Console.Messages);
    }

    [Fact]
    public async Task A_notification_to_an_unknown_channel_is_reported_as_an_error_naming_it()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["greeter.cs"] = Roles }, configure: WithoutRoleRules.Options).StartAsync();

        await Publish(test, new BusEvent("ELSEWHERE"));

        var failure = Assert.Single(test.Intents.Stats.RecentFailures);
        Assert.Contains("Unknown channel 'pager'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_intent_reaches_the_handler_its_role_registered()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["greeter.cs"] = Roles }, configure: WithoutRoleRules.Options).StartAsync();

        await test.Bus.PublishAsync(new BusEvent("HELLO", new Dictionary<string, string> { ["name"] = "Ann" }), new EventOrigin("test", "console", "ann"));

        await test.Console.WaitForAsync(m => m.Text == "Hello, Ann (from greeter on console)");
    }

    [Fact]
    public async Task A_throwing_handler_is_isolated_as_an_error_intent_and_the_other_handler_still_runs()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["greeter.cs"] = Roles }, configure: WithoutRoleRules.Options).StartAsync();

        await Publish(test, new BusEvent("BOOM"));
        await Publish(test, new BusEvent("LAZY_BOOM"));
        await test.Bus.PublishAsync(new BusEvent("HELLO", new Dictionary<string, string> { ["name"] = "Bo" }), new EventOrigin("test"));

        await test.Console.WaitForAsync(m => m.Text == "second handler ran");
        await test.Console.WaitForAsync(m => m.Text.StartsWith("Hello, Bo", StringComparison.Ordinal));
        Assert.Equal(2, test.Bus.HandlerFailures);
        Assert.Equal(2, test.Intents.Stats.Errors);
        await WaitUntil(() => test.Audit.ReadLatest(10).Count(r => r.Action == "error") == 2);
        var errors = test.Audit.ReadLatest(10).Where(r => r.Action == "error").Select(r => r.Details).ToList();
        Assert.Contains(errors, d => d.StartsWith("greeter/Explode: InvalidOperationException on BOOM: kaboom", StringComparison.Ordinal));
        Assert.Contains(errors, d => d.StartsWith("greeter/LazyExplode: InvalidOperationException on LAZY_BOOM: late kaboom", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_intent_nobody_handles_is_reported_not_dropped()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["greeter.cs"] = Roles }, configure: WithoutRoleRules.Options).StartAsync();

        await Publish(test, new BusEvent("ORPHAN"));

        Assert.Contains("no handler for intent type Unhandled", Assert.Single(test.Intents.Stats.RecentFailures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_intents_land_in_the_sqlite_audit_log()
    {
        await using var test = await TestRuntime.Create().StartAsync();

        await Submit(test, new AuditIntent("timer_set", "tea in 5m", "ann"));
        await WaitUntil(() => test.Audit.ReadLatest(1).Count == 1);

        var record = Assert.Single(test.Audit.ReadLatest(5));
        Assert.Equal(("test", "timer_set", "tea in 5m", "ann"), (record.Producer, record.Action, record.Details, record.User));
        Assert.True(File.Exists(test.Audit.Path));
    }

    [Fact]
    public async Task Event_types_are_case_sensitive()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["greeter.cs"] = Roles }, configure: WithoutRoleRules.Options).StartAsync();

        await Publish(test, new BusEvent("hello"));

        Assert.Equal(0, test.Bus.Delivered);
    }

    private static Task Submit(TestRuntime test, Intent intent) =>
        test.Loop.InvokeAsync(() => test.Intents.Submit(intent, new IntentOrigin("test", new EventContext("console", "ann", DateTimeOffset.UtcNow, "test"))));

    // Publishes, then waits for the loop to have handled it (the loop runs work in order).
    private static async Task Publish(TestRuntime test, BusEvent busEvent)
    {
        await test.Bus.PublishAsync(busEvent, new EventOrigin("test"));
        await test.Loop.InvokeAsync(() => { });
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}
