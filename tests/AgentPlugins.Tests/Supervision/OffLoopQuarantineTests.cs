using System.Diagnostics;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Supervision;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Supervision;

/// <summary>Quarantine decided and shown off the loop, in-process (the loop calls roles here never pre-empted; the tests' roles end by themselves).</summary>
public sealed class OffLoopQuarantineTests
{
    private const string SlowTool = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class SlowRole : IRole
        {
            public RoleConfig Config { get; } = new("slow", "1.0.0", "Holds the loop for 3 s", WhenToUse: "supervision tests");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("hold"), Description("Holds the loop")]
            public ToolResult Hold()
            {
                var until = Environment.TickCount64 + 3000;
                while (Environment.TickCount64 < until)
                {
                }

                return ToolResult.Ok("released");
            }
        }
        """;

    private const string SlowRegister = """
        using AgentPlugins.Sdk;

        public sealed class LateRole : IRole
        {
            public RoleConfig Config { get; } = new("late", "1.0.0", "Registers slowly", WhenToUse: "supervision tests");

            public void Register(RoleBuilder role)
            {
                var until = Environment.TickCount64 + 1500;
                while (Environment.TickCount64 < until)
                {
                }

                role.On("PING", (e, c) => []);
            }
        }
        """;

    private static AgentPluginsOptions Limits(AgentPluginsOptions options, double budget = 1) => WithoutRoleRules.Options(options with
    {
        Loop = new LoopOptions { SlowCallThreshold = TimeSpan.FromMilliseconds(200), HardLimit = TimeSpan.FromMinutes(5), RoleBudget = budget, BudgetWindow = TimeSpan.FromSeconds(1) },
    });

    [Fact]
    public async Task A_role_call_holding_the_loop_is_shown_quarantined_while_it_still_runs()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["slow.cs"] = SlowTool }, configure: o => Limits(o)).StartAsync();
        var held = Stopwatch.StartNew();

        var asking = test.AskAsync("/slow hold");

        // The loop is busy for 3 s; status snapshot, status file and console all say it before that.
        var status = await WaitAsync(() => test.Roles.Status.SingleOrDefault(s => s.State == RoleState.Quarantined));
        Assert.Equal("slow", status.Name);
        Assert.Contains("Handler hold held the loop for", Assert.Single(status.LastErrors).Message, StringComparison.Ordinal);
        var file = await WaitAsync(() => HostStatusFile.Read(HostStatusFile.PathIn(test.DataFolder)) is { } s && s.Roles.Any(r => r.State == "quarantined") ? s : null);
        Assert.Equal("slow", file.Roles.Single(r => r.State == "quarantined").Name);
        Assert.Contains(test.Console.Messages, m => m.Text.Contains("Role slow is quarantined", StringComparison.Ordinal) && m.Text.Contains("host roles --release slow", StringComparison.Ordinal));
        Assert.True(held.Elapsed < TimeSpan.FromSeconds(3), $"seen after {held.Elapsed}");
        Assert.EndsWith("slow.cs", Assert.Single(test.Get<RoleSupervisor>().Store.Entries).Path, StringComparison.Ordinal);

        await asking;
        var after = await test.AskAsync("/slow hold");
        Assert.StartsWith("Role 'slow' is quarantined", after.Text, StringComparison.Ordinal);
        Assert.Contains("host roles --release slow", after.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_whose_Register_holds_the_loop_is_quarantined_by_file_name_and_never_serves()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["late.cs"] = SlowRegister }, configure: o => Limits(o)).StartAsync();

        var status = test.Roles.Status.Single();
        Assert.Equal(RoleState.Quarantined, status.State);
        Assert.Contains("Handler load held the loop", status.LastErrors.Single().Message, StringComparison.Ordinal);
        Assert.Empty(await test.Loop.InvokeAsync(() => Task.FromResult(test.Roles.Serving.ToList())));
        Assert.Equal("late.cs", Assert.Single(test.Get<RoleSupervisor>().Store.Entries).Role);
    }

    [Fact]
    public async Task New_content_whose_Register_holds_the_loop_is_quarantined_and_the_serving_generation_goes_on()
    {
        var quick = SlowRegister.Replace("var until = Environment.TickCount64 + 1500;", "var until = Environment.TickCount64;", StringComparison.Ordinal);
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["late.cs"] = quick }, configure: o => Limits(o)).StartAsync();
        Assert.Equal(RoleState.Active, test.Roles.Status.Single().State);

        File.WriteAllText(Path.Combine(test.RolesFolder, "late.cs"), SlowRegister);

        var status = await WaitAsync(() => test.Roles.Status.SingleOrDefault(s => s.State == RoleState.Failed));
        Assert.Equal((1, "late"), (status.Generation, status.Name));
        Assert.Equal(Host.Roles.LoadCodes.Quarantined, status.LastErrors.Single().Code);
        var serving = await test.Loop.InvokeAsync(() => Task.FromResult(test.Roles.Serving.Single()));
        Assert.Equal((1, false), (serving.Number, serving.Guard.IsQuarantined));
    }

    [Fact]
    public async Task A_yielding_intent_handler_is_quarantined_by_the_budget_its_continuations_dropped_and_the_others_serve()
    {
        await using var test = await TestRuntime.Create(
            new Dictionary<string, string> { ["yielder.cs"] = AttackRoles.YieldingHandler, ["timer.cs"] = File.ReadAllText(Repository.SampleRole("timer.cs")) },
            configure: o => Limits(o, budget: 0.5)).StartAsync();

        await test.AskAsync("/yielder start");

        var status = await WaitAsync(() => test.Roles.Status.SingleOrDefault(s => s.State == RoleState.Quarantined));
        Assert.Equal("yielder", status.Name);
        Assert.Contains("budget 50", status.LastErrors.Single().Message, StringComparison.Ordinal);
        var reply = await test.AskAsync("/timer list_timers").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("Listing your timers.", reply.Text);
        Assert.True(test.Loop.Dropped > 0);
        Assert.Contains(test.Intents.Stats.RecentFailures, f => f.Contains("dropped unfinished", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_changed_file_lifts_the_quarantine_and_the_same_content_does_not()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["slow.cs"] = SlowTool }, configure: o => Limits(o)).StartAsync();
        await test.AskAsync("/slow hold");
        await WaitAsync(() => test.Roles.Status.SingleOrDefault(s => s.State == RoleState.Quarantined));
        var path = Path.Combine(test.RolesFolder, "slow.cs");

        File.WriteAllText(path, SlowTool);
        await Task.Delay(1000);
        Assert.Equal(RoleState.Quarantined, test.Roles.Status.Single().State);

        File.WriteAllText(path, SlowTool.Replace("Holds the loop for 3 s", "Holds the loop, edited", StringComparison.Ordinal));
        var back = await WaitAsync(() => test.Roles.Status.SingleOrDefault(s => s.State == RoleState.Active));
        Assert.Equal(2, back.Generation);
        await WaitAsync(() => test.Get<RoleSupervisor>().Store.Entries.Count == 0 ? "lifted" : null);
    }

    private static async Task<T> WaitAsync<T>(Func<T?> probe)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (probe() is { } found)
            {
                return found;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("The condition never held.");
    }
}
