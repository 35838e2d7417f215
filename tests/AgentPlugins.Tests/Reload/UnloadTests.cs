using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Reload;

public sealed class UnloadTests
{
    private static readonly UnloadVerifierOptions QuickVerdicts = new() { Passes = 6, FirstDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(150) };

    [Fact]
    public async Task A_role_that_subscribes_to_a_static_event_and_never_lets_go_is_reported_leaked_with_the_event_named()
    {
        var source = File.ReadAllText(Repository.Fixture("reload/pinning.cs"));
        await using var host = await TestRuntime.StartAsync(
            new Dictionary<string, string> { ["pinning.cs"] = source },
            roles => WithoutRoleRules.Roles(roles with { Watch = false, Unload = QuickVerdicts }));
        Assert.Equal(RoleState.Active, host.StatusOf("pinning.cs")!.State);

        Assert.Empty(await host.LoadSourceAsync(host.PathOf("pinning.cs"), source + "\n// v2\n"));
        Assert.True(await host.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(1, host.Unloads.Leaked);
        Assert.Equal(0, host.Unloads.Unloaded);
        var verdict = Assert.Single(host.Unloads.Recent);
        Assert.Equal(UnloadOutcome.Leaked, verdict.Outcome);
        Assert.Equal(1, verdict.Generation);
        Assert.Contains("System.AppDomain.ProcessExit", verdict.LikelyCause, StringComparison.Ordinal);
        Assert.Equal(1, host.Unloads.AliveFor(host.PathOf("pinning.cs")));
    }

    [Fact]
    public async Task A_role_that_serializes_its_own_types_with_system_text_json_still_unloads()
    {
        // System.Text.Json caches contracts of every type it has seen; the verifier clears those
        // caches (the BCL's MetadataUpdateHandler ClearCache methods) so they do not pin the role.
        static string Source(string marker) => $$"""
            using System.Text.Json;
            using AgentPlugins.Sdk;

            public sealed record Point(int X, int Y, string Marker);

            public sealed class JsonRole : IRole
            {
                public RoleConfig Config { get; } = new("json", "1.0.0", "Serializes its own record", WhenToUse: "unload tests");

                public void Register(RoleBuilder role) =>
                    role.On("PING", (e, context) => [new NotificationIntent($"{e.Get("seq")}:{JsonSerializer.Serialize(new Point(1, 2, "{{marker}}"))}", "sink")]);
            }
            """;
        await using var host = await TestRuntime.StartAsync(
            new Dictionary<string, string> { ["json.cs"] = Source("a") },
            roles => roles with { Watch = false, Unload = QuickVerdicts });
        Assert.Equal("{\"X\":1,\"Y\":2,\"Marker\":\"a\"}", await host.PingAsync());

        Assert.Empty(await host.LoadSourceAsync(host.PathOf("json.cs"), Source("b")));
        Assert.Equal("{\"X\":1,\"Y\":2,\"Marker\":\"b\"}", await host.PingAsync());

        Assert.True(await host.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, host.Unloads.Leaked);
        Assert.Equal(1, host.Unloads.Unloaded);
    }

    [Fact]
    public async Task A_clean_role_reloaded_two_hundred_times_leaves_no_generation_in_memory()
    {
        const int cycles = 200;
        await using var host = await TestRuntime.StartAsync(
            new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v0") },
            roles => roles with { Watch = false, Unload = QuickVerdicts });

        for (var cycle = 1; cycle <= cycles; cycle++)
        {
            // Two contents in turn: each load is a new generation in a new context, and from the
            // third on the compile cache serves the bytes, so the cycles exercise loading and unloading.
            var marker = cycle % 2 == 0 ? "even" : "odd";
            Assert.Empty(await host.LoadSourceAsync(host.PathOf("echo.cs"), SampleRoles.Echo(marker)));
            if (cycle % 40 == 0)
            {
                Assert.Equal(marker, await host.PingAsync());
            }
        }

        Assert.True(await host.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(60)), $"{host.Unloads.Pending} generations still pending");
        Assert.Equal(cycles + 1, host.StatusOf("echo.cs")!.Generation);
        Assert.Equal(0, host.Unloads.Leaked);
        Assert.Equal(cycles, host.Unloads.Unloaded);
        Assert.Equal(0, host.Unloads.AliveFor(host.PathOf("echo.cs")));
        Assert.True(host.CompileCache.Hits >= cycles - 2, $"only {host.CompileCache.Hits} compile cache hits");
    }

    [Fact]
    public async Task A_retired_generation_waits_for_its_running_intent_handler_and_the_handler_sees_cancellation()
    {
        const string slow = """
            using AgentPlugins.Sdk;

            public sealed record WaitIntent(string Seq) : Intent
            {
                public override bool Validate() => Seq.Length > 0;
            }

            public sealed class SlowRole : IRole
            {
                public RoleConfig Config { get; } = new("slow", "1.0.0", "Waits in an intent handler", WhenToUse: "unload tests");

                public void Register(RoleBuilder role)
                {
                    role.On("WAIT", (e, context) => [new WaitIntent(e.Get("seq") ?? "?")]);
                    role.Handle<WaitIntent>(WaitAsync);
                }

                private static async Task WaitAsync(WaitIntent intent, IntentContext context)
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(30), context.Cancellation);
                    }
                    catch (OperationCanceledException)
                    {
                        await context.NotifyAsync($"{intent.Seq}:cancelled");
                    }
                }
            }
            """;
        await using var host = await TestRuntime.StartAsync(
            new Dictionary<string, string> { ["slow.cs"] = slow },
            roles => roles with { Watch = false, Unload = QuickVerdicts });

        var origin = new Host.Loop.EventOrigin("test", "sink");
        await host.Bus.PublishAsync(new AgentPlugins.Sdk.BusEvent("WAIT", new Dictionary<string, string> { ["seq"] = "w1" }), origin);
        await Task.Delay(200);
        var draining = host.Roles.Changes.FirstAsync(c => c.State == GenerationState.Draining).ToTask();
        var withdrawn = host.Roles.Changes.FirstAsync(c => c.State == GenerationState.Withdrawn).ToTask();
        Assert.Empty(await host.LoadSourceAsync(host.PathOf("slow.cs"), slow + "\n// v2\n"));

        // Replaced while its handler runs: it drains (the handler sees cancellation), then is withdrawn and unloaded.
        Assert.Equal(1, (await draining.WaitAsync(TimeSpan.FromSeconds(20))).Number);
        Assert.Equal(1, (await withdrawn.WaitAsync(TimeSpan.FromSeconds(20))).Number);
        Assert.True(await host.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("w1:cancelled", host.Sink.Texts);
        Assert.Equal(1, host.Unloads.Unloaded);
        Assert.Equal(0, host.Unloads.Leaked);
    }
}
