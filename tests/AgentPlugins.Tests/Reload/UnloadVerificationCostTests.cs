using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Reload;

public sealed class UnloadVerificationCostTests
{
    [Fact]
    public async Task A_clean_generation_is_judged_unloaded_without_clearing_the_reflection_caches()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") }, roles => roles with { Watch = false });
        Assert.Equal("v1", await host.PingAsync());

        Assert.Empty(await host.LoadSourceAsync(host.PathOf("echo.cs"), SampleRoles.Echo("v2")));
        Assert.Equal("v2", await host.PingAsync());
        Assert.True(await host.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(30)));

        var verdict = Assert.Single(host.Unloads.Recent);
        Assert.Equal(UnloadOutcome.Unloaded, verdict.Outcome);
        Assert.Equal(1, verdict.Passes);
        Assert.Equal(0, host.Unloads.CacheClears);
    }

    [Fact]
    public async Task A_generation_whose_types_sit_in_a_reflection_cache_is_freed_by_a_later_pass_that_clears_it()
    {
        static string Source(string marker) => $$"""
            using System.Text.Json;
            using AgentPlugins.Sdk;

            public sealed record Point(int X, string Marker);

            public sealed class JsonRole : IRole
            {
                public RoleConfig Config { get; } = new("json", "1.0.0", "Serializes its own record", WhenToUse: "unload tests");

                public void Register(RoleBuilder role) =>
                    role.On("PING", (e, context) => [new NotificationIntent($"{e.Get("seq")}:{JsonSerializer.Serialize(new Point(1, "{{marker}}"))}", "sink")]);
            }
            """;
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["json.cs"] = Source("a") }, roles => roles with { Watch = false });
        Assert.Contains("\"a\"", await host.PingAsync(), StringComparison.Ordinal);

        Assert.Empty(await host.LoadSourceAsync(host.PathOf("json.cs"), Source("b")));
        Assert.True(await host.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(30)));

        var verdict = Assert.Single(host.Unloads.Recent);
        Assert.Equal(UnloadOutcome.Unloaded, verdict.Outcome);
        Assert.True(verdict.Passes >= 2, $"unloaded after {verdict.Passes} pass(es): the System.Text.Json cache no longer pins role types?");
        Assert.True(host.Unloads.CacheClears >= 1);
    }
}
