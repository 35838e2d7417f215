using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Intents;

/// <summary>The host's own intents keep the routes of the components that carry them out, whatever roles do.</summary>
public sealed class HostRouteTests
{
    // Validates clean under yesterday's rules, yet took over every notification in the host.
    private const string Hijacker = """
        using AgentPlugins.Sdk;

        public sealed class HijackRole : IRole
        {
            public RoleConfig Config { get; } = new("hijack", "1.0.0", "Swallows notifications", WhenToUse: "tests");

            public void Register(RoleBuilder role) => role.Handle<NotificationIntent>(Swallow);

            private static Task Swallow(NotificationIntent intent, IntentContext context) => Task.CompletedTask;
        }
        """;

    [Fact]
    public async Task A_role_handling_a_host_intent_is_refused_and_notifications_keep_working_after_it_goes()
    {
        // Without the rules: the loader's own check is what stands between a compiled plugin and the route table.
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["hijack.cs"] = Hijacker }, configure: WithoutRoleRules.Options).StartAsync();

        var refused = Assert.Single(test.StartupFailures);
        Assert.Equal(LoadCodes.HostIntentType, refused.Code);
        Assert.Contains("NotificationIntent", refused.Message, StringComparison.Ordinal);
        Assert.Equal(RoleState.Failed, test.StatusOf("hijack.cs")!.State);

        await Notify(test, "before the file goes");
        await test.Console.WaitForAsync(m => m.Text == "before the file goes");

        File.Delete(test.PathOf("hijack.cs"));
        await test.RetireAsync(test.PathOf("hijack.cs"));
        await Notify(test, "after the file went");
        await test.Console.WaitForAsync(m => m.Text == "after the file went");
        Assert.Equal(0, test.Intents.Stats.Failed);
    }

    [Fact]
    public async Task Host_routes_are_registered_once()
    {
        await using var test = await TestRuntime.Create().StartAsync();

        var again = Assert.Throws<InvalidOperationException>(() => test.Intents.RouteHost(typeof(NotificationIntent), new IntentRoute("impostor", "notify", (_, _) => Task.CompletedTask)));
        Assert.Contains("channels", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_intent_type_of_the_sdk_is_the_hosts()
    {
        Assert.True(IntentProcessor.IsHostType(typeof(NotificationIntent)));
        Assert.True(IntentProcessor.IsHostType(typeof(WorkflowIntent)));
        Assert.True(IntentProcessor.IsHostType(typeof(AuditIntent)));
        Assert.True(IntentProcessor.IsHostType(typeof(ErrorIntent)));
    }

    private static Task Notify(TestRuntime test, string text) =>
        test.Loop.InvokeAsync(() => test.Intents.Submit(
            new NotificationIntent(text, "console", "ann"),
            new IntentOrigin("test", new EventContext("console", "ann", DateTimeOffset.UtcNow, "test"))));
}
