using System.Globalization;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Reload;

public sealed class SwapTests
{
    // v1 starts a 400 ms intent handler on WORK that ignores cancellation, then reports "done";
    // both versions answer PING with their marker.
    private static string Busy(string marker) => $$"""
        using AgentPlugins.Sdk;

        public sealed record WorkIntent(string Id) : Intent
        {
            public override bool Validate() => Id.Length > 0;
        }

        public sealed class BusyRole : IRole
        {
            public RoleConfig Config { get; } = new("busy", "1.0.0", "Works a while on WORK", WhenToUse: "swap tests");

            public void Register(RoleBuilder role)
            {
                role.On("WORK", (e, context) => [new WorkIntent(e.Get("id") ?? "?")]);
                role.On("PING", (e, context) => [new NotificationIntent($"{e.Get("seq")}:{{marker}}", "sink")]);
                role.Handle<WorkIntent>(WorkAsync);
            }

            private static async Task WorkAsync(WorkIntent intent, IntentContext context)
            {
                await Task.Delay(400);
                await context.NotifyAsync($"{intent.Id}:done by {{marker}}");
            }
        }
        """;

    [Fact]
    public async Task The_new_generation_takes_events_only_after_the_old_ones_running_handler_ended_and_loses_none()
    {
        await using var host = await TestRuntime.StartAsync(
            new Dictionary<string, string> { ["busy.cs"] = Busy("v1") },
            roles => roles with { Watch = false });
        var sink = new EventOrigin("test", "sink");
        await host.Bus.PublishAsync(new BusEvent("WORK", new Dictionary<string, string> { ["id"] = "w1" }), sink);
        await Task.Delay(50);

        Assert.Empty(await host.LoadSourceAsync(host.PathOf("busy.cs"), Busy("v2")));
        for (var seq = 0; seq < 50; seq++)
        {
            await host.Bus.PublishAsync(new BusEvent("PING", new Dictionary<string, string> { ["seq"] = seq.ToString(CultureInfo.InvariantCulture) }), EventOrigin.Host);
        }

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (host.Sink.Count < 51 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var texts = host.Sink.Texts;
        Assert.Equal(51, texts.Count);
        Assert.Equal("w1:done by v1", texts[0]);
        Assert.Equal(Enumerable.Range(0, 50).Select(seq => $"{seq}:v2"), texts.Skip(1));
        Assert.Equal(2, host.StatusOf("busy.cs")!.Generation);
    }

    [Fact]
    public async Task A_handler_that_never_ends_holds_the_new_generation_back_only_for_the_drain_timeout()
    {
        const string stuck = """
            using AgentPlugins.Sdk;

            public sealed record StuckIntent(string Id) : Intent
            {
                public override bool Validate() => Id.Length > 0;
            }

            public sealed class EchoRole : IRole
            {
                public RoleConfig Config { get; } = new("echo", "1.0.0", "Never finishes on WORK", WhenToUse: "swap tests");

                public void Register(RoleBuilder role)
                {
                    role.On("WORK", (e, context) => [new StuckIntent("s")]);
                    role.Handle<StuckIntent>(async (intent, context) => await Task.Delay(TimeSpan.FromMinutes(10)));
                }
            }
            """;
        await using var host = await TestRuntime.StartAsync(
            new Dictionary<string, string> { ["echo.cs"] = stuck },
            roles => roles with { Watch = false, Unload = new UnloadVerifierOptions { DrainTimeout = TimeSpan.FromMilliseconds(300), Passes = 4 } });
        await host.Bus.PublishAsync(new BusEvent("WORK"), EventOrigin.Host);
        await Task.Delay(50);

        // The old generation drains up to the timeout, then is withdrawn and handed to the verifier.
        var withdrawn = host.Roles.Changes.FirstAsync(c => c.State == GenerationState.Withdrawn && c.Number == 1).ToTask();
        var swapped = System.Diagnostics.Stopwatch.StartNew();
        Assert.Empty(await host.LoadSourceAsync(host.PathOf("echo.cs"), SampleRoles.Echo("v2")));
        Assert.Equal("v2", await host.PingAsync());

        Assert.InRange(swapped.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));

        // The stuck handler's pending delay still holds the old generation's code: leaked, with the reason.
        await withdrawn.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await host.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(30)));
        var verdict = Assert.Single(host.Unloads.Recent);
        Assert.Equal(UnloadOutcome.Leaked, verdict.Outcome);
        Assert.Contains("1 intent handler call(s) still running after 300 ms", verdict.LikelyCause, StringComparison.Ordinal);
    }
}
