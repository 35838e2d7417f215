using AgentPlugins.Host.Supervision;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Supervision;

/// <summary>
/// What no code in the process can catch (a stack overflow, a hang at start-up), against the real
/// bin/host: the crash journal names the role call the process died in, and the second start runs
/// without that role, so a crash loop ends there.
/// </summary>
public sealed class CrashTests
{
    [Fact]
    public async Task A_stack_overflow_in_a_tool_kills_the_host_once_and_the_second_start_runs_without_the_role()
    {
        using var folder = new HostFolder(roles: ("deep.cs", AttackRoles.RecursingTool));
        await using (var first = folder.Start())
        {
            await first.SendAsync("/timer list_timers");
            await first.WaitForStdoutAsync(line => line == "Listing your timers.", HostFolder.Patience);
            await first.SendAsync("/deep dive");
            Assert.NotEqual(0, await first.WaitForExitAsync(HostFolder.Patience));
        }

        var crash = CrashJournal.ReadPrevious(CrashJournal.PathIn(folder.Data));
        Assert.NotNull(crash);
        Assert.Equal(("deep", "dive", false), (crash.Role, crash.Handler, crash.PassedHardLimit));

        await using var second = folder.Start();
        await second.WaitForStdoutAsync(line => line.Contains("Role deep is quarantined", StringComparison.Ordinal) && line.Contains("ended abnormally", StringComparison.Ordinal), HostFolder.Patience);
        await second.SendAsync("/timer list_timers");
        await second.WaitForStdoutAsync(line => line == "Listing your timers.", HostFolder.Patience);
        Assert.Contains(second.Stderr, line => line.Contains("The previous run ended inside role deep handler dive", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.Stopped, await second.TerminateAsync(HostFolder.Patience));
    }

    [Fact]
    public async Task A_stack_overflow_in_a_ROLE_LOADED_handler_kills_only_the_first_start()
    {
        using var folder = new HostFolder(roles: ("boot.cs", AttackRoles.RecursingOnLoad));
        await using (var first = folder.Start())
        {
            Assert.NotEqual(0, await first.WaitForExitAsync(HostFolder.Patience));
        }

        await using var second = folder.Start();
        await second.SendAsync("/timer set_timer 1s tea");
        await second.WaitForStdoutAsync(line => line.Contains("Timer 'tea' is done", StringComparison.Ordinal), HostFolder.Patience);
        var status = await folder.WaitForRolesAsync(json => json.Contains("\"quarantined\"", StringComparison.Ordinal));
        Assert.Contains("OnLoaded", status, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Stopped, await second.TerminateAsync(HostFolder.Patience));
    }

    [Fact]
    public async Task A_ROLE_LOADED_handler_that_never_returns_ends_the_start_at_the_hard_limit_and_the_second_start_serves()
    {
        using var folder = new HostFolder(roles: ("hang.cs", AttackRoles.SpinningOnLoad));
        await using (var first = folder.Start())
        {
            // While it hangs before Ready, host roles sees a live host with the role quarantined.
            await folder.WaitForRolesAsync(json => json.Contains("\"quarantined\"", StringComparison.Ordinal));
            Assert.Equal(ExitCodes.RoleStuck, await first.WaitForExitAsync(HostFolder.Patience));
            Assert.Contains(first.Stderr, line => line.StartsWith("crit: Role hang generation 1 handler OnLoaded", StringComparison.Ordinal));
        }

        await using var second = folder.Start();
        await second.SendAsync("/timer list_timers");
        await second.WaitForStdoutAsync(line => line == "Listing your timers.", HostFolder.Patience);
        await second.WaitForStdoutAsync(line => line.Contains("Role hang is quarantined", StringComparison.Ordinal), HostFolder.Patience);
        Assert.Equal(ExitCodes.Stopped, await second.TerminateAsync(HostFolder.Patience));
    }
}
