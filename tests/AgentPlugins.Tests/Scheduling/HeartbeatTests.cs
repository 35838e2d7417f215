using AgentPlugins.Host.Scheduling;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Tests.Scheduling;

public sealed class HeartbeatTests
{
    private const string Listener = """
        using AgentPlugins.Sdk;

        public sealed class BeatRole : IRole
        {
            public RoleConfig Config { get; } = new("beat", "1.0.0", "Listens to heartbeats", WhenToUse: "tests");

            public void Register(RoleBuilder role)
            {
                role.On(Events.HeartbeatTick, (e, c) => [new NotificationIntent($"slow {c.Time:HH:mm:ss}", c.Channel)]);
                role.On(Events.FastHeartbeatTick, (e, c) => [new NotificationIntent($"fast {c.Time:HH:mm:ss}", c.Channel)]);
            }
        }
        """;

    [Fact]
    public async Task Heartbeats_are_published_at_the_configured_intervals_on_the_host_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-24T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var test = await TestRuntime.Create(
            new Dictionary<string, string> { ["beat.cs"] = Listener },
            clock,
            options => options with { Scheduler = new SchedulerOptions { Heartbeat = TimeSpan.FromSeconds(30), FastHeartbeat = TimeSpan.FromSeconds(5) } }).StartAsync();

        clock.Advance(TimeSpan.FromSeconds(4.9));
        await test.Loop.InvokeAsync(() => { });
        Assert.Empty(test.Console.Messages);

        clock.Advance(TimeSpan.FromSeconds(0.1));
        for (var second = 5; second <= 30; second += 5)
        {
            await test.Console.WaitForAsync(m => m.Text == $"fast 10:00:{second:00}");
            clock.Advance(TimeSpan.FromSeconds(second == 30 ? 0 : 5));
        }

        await test.Console.WaitForAsync(m => m.Text == "slow 10:00:30");
        Assert.Equal(6, test.Console.Messages.Count(m => m.Text.StartsWith("fast", StringComparison.Ordinal)));
        Assert.Single(test.Console.Messages, m => m.Text.StartsWith("slow", StringComparison.Ordinal));
    }
}
