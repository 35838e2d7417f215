using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Reload;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Validation;

/// <summary>A save that breaks a rule is refused by hot reload exactly as validate reports it, and the old generation keeps serving.</summary>
public sealed class ReloadAgreementTests
{
    [Fact]
    public async Task A_save_with_a_rule_error_keeps_the_old_generation_and_shows_what_validate_prints()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") });
        var broken = SampleRoles.Echo("v2").Replace(
            "public ToolResult Say() => ToolResult.Ok(Marker);",
            "public ToolResult Say() { Thread.Sleep(100); return ToolResult.Ok(Marker); }",
            StringComparison.Ordinal);

        host.Write("echo.cs", broken);
        var failed = await host.WaitForAsync("echo.cs", s => s.State == RoleState.Failed && s.ContentHash == RoleFile.HashOf(broken));

        var expected = Validate.Files([host.PathOf("echo.cs")]).Diagnostics.Where(d => d.IsError).Select(d => d.ToString()).ToList();
        Assert.Equal("AP0103", Assert.Single(failed.LastErrors).Code);
        Assert.Equal(expected, failed.LastErrors.Select(d => d.ToString()));
        Assert.Equal(1, failed.Generation);
        Assert.Equal("v1", await host.PingAsync());
        var notice = await host.Console.WaitForAsync(m => m.Kind == MessageKind.Notification && m.Text.Contains("AP0103", StringComparison.Ordinal));
        Assert.Contains(expected[0], notice.Text, StringComparison.Ordinal);
    }
}
