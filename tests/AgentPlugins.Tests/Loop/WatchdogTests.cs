using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Loop;

public sealed class WatchdogTests
{
    private const string Slow = """
        using AgentPlugins.Sdk;

        public sealed class SlowRole : IRole
        {
            public RoleConfig Config { get; } = new("slow", "1.0.0", "Blocks the loop", WhenToUse: "tests");

            public void Register(RoleBuilder role) => role.On("WORK", Hog);

            private static IEnumerable<Intent> Hog(BusEvent e, EventContext c)
            {
                var until = DateTime.UtcNow.AddMilliseconds(400);
                while (DateTime.UtcNow < until) { }
                return [new NotificationIntent("slow done", c.Channel)];
            }
        }
        """;

    private const string Quick = """
        using AgentPlugins.Sdk;

        public sealed class QuickRole : IRole
        {
            public RoleConfig Config { get; } = new("quick", "1.0.0", "Answers at once", WhenToUse: "tests");

            public void Register(RoleBuilder role) => role.On("WORK", (e, c) => [new NotificationIntent("quick done", c.Channel)]);
        }
        """;

    [Fact]
    public async Task A_role_call_that_holds_the_loop_too_long_is_named_and_quarantined_and_the_others_go_on()
    {
        await using var test = await TestRuntime.Create(
            new Dictionary<string, string> { ["slow.cs"] = Slow, ["quick.cs"] = Quick },
            configure: options => WithoutRoleRules.Options(options with { Loop = new LoopOptions { SlowCallThreshold = TimeSpan.FromMilliseconds(100) } })).StartAsync();
        var reported = new TaskCompletionSource<(string Role, string Handler)>();
        test.Loop.Watchdog.SlowCall += (role, handler, _) => reported.TrySetResult((role, handler));

        await test.Bus.PublishAsync(new BusEvent("WORK"), new EventOrigin("test"));

        Assert.Equal(("slow", "Hog"), await reported.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await test.Loop.InvokeAsync(() => { });
        await test.Loop.InvokeAsync(() => { });
        var status = test.Roles.Status.Single(s => s.Name == "slow");
        Assert.Equal(RoleState.Quarantined, status.State);
        Assert.Contains("Hog held the loop", Assert.Single(status.LastErrors).Message, StringComparison.Ordinal);

        // Asked for directly, the role says it is quarantined, why, and how to lift it: not "unknown role".
        var asked = await test.AskAsync("/slow anything");
        Assert.False(asked.Success);
        Assert.Contains("Role 'slow' is quarantined", asked.Text, StringComparison.Ordinal);
        Assert.Contains("Change its file, or run `host roles --release slow`, to load it again", asked.Text, StringComparison.Ordinal);

        var before = test.Console.Messages.Count(m => m.Text == "slow done");
        await test.Bus.PublishAsync(new BusEvent("WORK"), new EventOrigin("test"));
        await test.Console.WaitForAsync(m => m.Text == "quick done" && test.Console.Messages.Count(x => x.Text == "quick done") == 2);
        Assert.Equal(before, test.Console.Messages.Count(m => m.Text == "slow done"));
    }

    [Fact]
    public async Task A_call_that_starts_after_a_quiet_spell_is_watched_again()
    {
        // The watchdog's timer stops while no role call happens (an idle host is not woken 40 times a
        // second); the first call after the quiet spell must start it again.
        await using var test = await TestRuntime.Create(
            new Dictionary<string, string> { ["slow.cs"] = Slow, ["quick.cs"] = Quick },
            configure: options => WithoutRoleRules.Options(options with { Loop = new LoopOptions { SlowCallThreshold = TimeSpan.FromMilliseconds(100) } })).StartAsync();
        var reported = new TaskCompletionSource<string>();
        test.Loop.Watchdog.SlowCall += (role, _, _) => reported.TrySetResult(role);

        await test.Bus.PublishAsync(new BusEvent("NOTHING"), new EventOrigin("test"));
        await Task.Delay(500);
        Assert.False(reported.Task.IsCompleted);

        await test.Bus.PublishAsync(new BusEvent("WORK"), new EventOrigin("test"));

        Assert.Equal("slow", await reported.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
