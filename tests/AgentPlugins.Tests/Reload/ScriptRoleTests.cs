using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Reload;

public sealed class ScriptRoleTests
{
    [Fact]
    public async Task A_csx_role_loads_reloads_and_its_old_generation_unloads()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.csx"] = SampleRoles.EchoScript("s1") });
        Assert.Equal(RoleState.Active, host.StatusOf("echo.csx")!.State);
        Assert.Equal("s1", await host.PingAsync());
        Assert.Equal("s1", (await AskAsync(host, "/echo_script say")).Text);

        host.Write("echo.csx", SampleRoles.EchoScript("s2"));
        await host.WaitForAsync("echo.csx", s => s.Generation == 2 && s.State == RoleState.Active);

        Assert.Equal("s2", await host.PingAsync());
        Assert.True(await host.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, host.Unloads.Unloaded);
        Assert.Equal(0, host.Unloads.Leaked);
    }

    private static Task<Host.Requests.Reply> AskAsync(TestRuntime host, string text) =>
        host.Loop.InvokeAsync(() => host.Workflows.HandleAsync(new Host.Requests.Request(text, "console", "tester"), _ => Task.CompletedTask));
}
