using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Reload;

public sealed class FailedReloadTests
{
    [Fact]
    public async Task A_compile_error_keeps_the_old_generation_answering_and_fixing_the_file_loads_the_new_one()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") });

        host.Write("echo.cs", SampleRoles.CompileError);
        var failed = await host.WaitForAsync("echo.cs", s => s.State == RoleState.Failed && s.ContentHash == RoleFile.HashOf(SampleRoles.CompileError));

        Assert.Equal(1, failed.Generation);
        Assert.Equal("v1", await host.PingAsync());
        var error = Assert.Single(failed.LastErrors, e => e.Code == "CS0103");
        Assert.Equal($"{host.PathOf("echo.cs")}(9,25): error CS0103: The name 'UndefinedHandler' does not exist in the current context", error.ToString());

        // The user hears of it at once on the console, in the compiler's own format.
        var notice = await host.Console.WaitForAsync(m => m.Kind == MessageKind.Notification && m.Text.Contains("CS0103", StringComparison.Ordinal));
        Assert.Contains($"{host.PathOf("echo.cs")}(9,25): error CS0103:", notice.Text, StringComparison.Ordinal);
        Assert.Contains("generation 1 of echo keeps serving", notice.Text, StringComparison.Ordinal);

        host.Write("echo.cs", SampleRoles.Echo("v2"));
        var fixedStatus = await host.WaitForAsync("echo.cs", s => s.State == RoleState.Active && s.Generation == 2);
        Assert.Empty(fixedStatus.LastErrors);
        Assert.Equal("v2", await host.PingAsync());
    }

    [Theory]
    [InlineData("register", "AP1004")]
    [InlineData("config", "AP1005")]
    public async Task A_role_that_fails_to_start_keeps_the_old_generation_serving(string fault, string code)
    {
        // Failures when the role runs (AP1xxx); the role rules would refuse both files before that.
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") }, WithoutRoleRules.Roles);

        var broken = fault == "register" ? SampleRoles.RegisterThrows : SampleRoles.InvalidConfig;
        host.Write("echo.cs", broken);
        var failed = await host.WaitForAsync("echo.cs", s => s.State == RoleState.Failed && s.ContentHash == RoleFile.HashOf(broken));

        Assert.Equal(code, Assert.Single(failed.LastErrors).Code);
        Assert.Equal(1, failed.Generation);
        Assert.Equal("v1", await host.PingAsync());
        await host.Console.WaitForAsync(m => m.Text.Contains($"error {code}", StringComparison.Ordinal));

        // The failed attempt's own context is unloaded and verified gone too.
        Assert.True(await host.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, host.Unloads.Leaked);
        Assert.True(host.Unloads.Unloaded >= 1, "the failed attempt's context was not verified");
    }

    [Fact]
    public async Task A_quarantined_role_comes_back_when_its_file_is_saved_with_new_content()
    {
        const string slow = """
            using AgentPlugins.Sdk;

            public sealed class EchoRole : IRole
            {
                public RoleConfig Config { get; } = new("echo", "1.0.0", "Holds the loop on SLOW", WhenToUse: "reload tests");

                public void Register(RoleBuilder role)
                {
                    role.On("SLOW", (e, context) => { Thread.Sleep(600); return []; });
                    role.On("PING", (e, context) => [new NotificationIntent($"{e.Get("seq")}:slow", "sink")]);
                }
            }
            """;
        await using var host = await TestRuntime.StartAsync(
            new Dictionary<string, string> { ["echo.cs"] = slow },
            WithoutRoleRules.Roles,
            loop: new Host.Loop.LoopOptions { SlowCallThreshold = TimeSpan.FromMilliseconds(150) });
        Assert.Equal("slow", await host.PingAsync());

        await host.Bus.PublishAsync(new AgentPlugins.Sdk.BusEvent("SLOW"), Host.Loop.EventOrigin.Host);
        await host.WaitForAsync("echo.cs", s => s.State == RoleState.Quarantined);
        Assert.Null(await host.PingAsync(TimeSpan.FromMilliseconds(300)));

        host.Write("echo.cs", SampleRoles.Echo("fixed"));
        var back = await host.WaitForAsync("echo.cs", s => s.State == RoleState.Active && s.Generation == 2);

        Assert.Empty(back.LastErrors);
        Assert.Equal("fixed", await host.PingAsync());
        Assert.True(await host.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, host.Unloads.Leaked);
    }

    [Fact]
    public async Task Saving_the_same_content_again_changes_nothing()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") });
        var compiles = host.CompileCache.Compiles;

        for (var i = 0; i < 3; i++)
        {
            host.Write("echo.cs", SampleRoles.Echo("v1"));
            await Task.Delay(150);
        }

        Assert.Equal(1, host.StatusOf("echo.cs")!.Generation);
        Assert.Equal(compiles, host.CompileCache.Compiles);
        Assert.True(host.Reloader!.Skipped >= 1, "the unchanged saves were not seen");
        Assert.Equal(RoleFile.HashOf(SampleRoles.Echo("v1")), host.StatusOf("echo.cs")!.ContentHash);
    }
}
