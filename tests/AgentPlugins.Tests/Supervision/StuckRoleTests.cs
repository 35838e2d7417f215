using System.Diagnostics;
using AgentPlugins.Host.Supervision;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Supervision;

/// <summary>
/// A role call that never returns, against the real bin/host: the host quarantines the role at once
/// (from off the loop), ends at the hard limit with exit code 70 naming the culprit, and once
/// restarted serves the other roles, fires the timers that came due and keeps the culprit out until
/// its file changes or it is released.
/// </summary>
public sealed class StuckRoleTests : IDisposable
{
    private readonly HostFolder _folder = new(roles: ("spin.cs", AttackRoles.SpinningTool));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_spinning_tool_is_quarantined_at_once_ends_the_host_at_the_hard_limit_and_stays_out_after_the_restart()
    {
        await using (var first = _folder.Start())
        {
            await first.SendAsync("/timer set_timer 4s tea");
            await first.WaitForStdoutAsync(line => line == "Setting a 4 second timer for 'tea'.", HostFolder.Patience);
            var spinning = Stopwatch.StartNew();
            await first.SendAsync("/spin spin");

            // Off the loop, while the loop still spins: host roles says quarantined, with handler and time.
            var status = await _folder.WaitForRolesAsync(json => json.Contains("\"quarantined\"", StringComparison.Ordinal));
            Assert.Contains("Handler spin held the loop for", status, StringComparison.Ordinal);
            await first.WaitForStdoutAsync(line => line.Contains("Role spin is quarantined", StringComparison.Ordinal), HostFolder.Patience);

            Assert.Equal(ExitCodes.RoleStuck, await first.WaitForExitAsync(HostFolder.Patience));
            Assert.InRange(spinning.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2) + TimeSpan.FromSeconds(8));
            var fatal = Assert.Single(first.Stderr, line => line.StartsWith("crit:", StringComparison.Ordinal));
            Assert.Contains("Role spin generation 1 handler spin", fatal, StringComparison.Ordinal);
            Assert.Contains(_folder.Role("spin.cs"), fatal, StringComparison.Ordinal);
        }

        // The supervisor's restart: the other roles serve, the timer due meanwhile fires, spin stays out.
        await using (var second = _folder.Start())
        {
            await second.WaitForStdoutAsync(line => line.Contains("Role spin is quarantined", StringComparison.Ordinal), HostFolder.Patience);
            await second.WaitForStdoutAsync(line => line.Contains("Timer 'tea' is done", StringComparison.Ordinal), HostFolder.Patience);
            await second.SendAsync("/timer list_timers");
            await second.WaitForStdoutAsync(line => line == "Listing your timers.", HostFolder.Patience);
            await second.SendAsync("/spin spin");
            await second.WaitForStdoutAsync(line => line.StartsWith("Role 'spin' is quarantined: The previous run was stopped", StringComparison.Ordinal), HostFolder.Patience);
            var status = await _folder.WaitForRolesAsync(json => json.Contains("\"quarantined\"", StringComparison.Ordinal));
            Assert.Contains("passed loop:hardLimit", status, StringComparison.Ordinal);
            Assert.Equal(ExitCodes.Stopped, await second.TerminateAsync(HostFolder.Patience));
        }

        // Still out on the next start, and a byte-identical save keeps it out (the message says: change it).
        await using (var third = _folder.Start())
        {
            await third.WaitForStdoutAsync(line => line.Contains("Role spin is quarantined", StringComparison.Ordinal) && line.Contains("host roles --release spin", StringComparison.Ordinal), HostFolder.Patience);
            await _folder.WaitForRolesAsync(json => json.Contains("\"quarantined\"", StringComparison.Ordinal));
            File.WriteAllText(_folder.Role("spin.cs"), AttackRoles.SpinningTool);
            await Task.Delay(1000);
            var (_, table, _) = await _folder.RolesAsync();
            Assert.Contains("quarantined", table, StringComparison.Ordinal);

            // Changed content loads.
            File.WriteAllText(_folder.Role("spin.cs"), AttackRoles.SpinningTool.Replace("\"Never returns\"", "\"Never returns, edited\"", StringComparison.Ordinal));
            await _folder.WaitForRolesAsync(json => !json.Contains("\"quarantined\"", StringComparison.Ordinal) && json.Contains("\"spin\"", StringComparison.Ordinal));
            Assert.Equal(ExitCodes.Stopped, await third.TerminateAsync(HostFolder.Patience));
        }

        Assert.DoesNotContain("spin.cs", File.ReadAllText(QuarantineStore.PathIn(_folder.Data)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quarantined_role_is_released_by_command_in_the_running_host_and_without_one()
    {
        await using (var first = _folder.Start())
        {
            await first.SendAsync("/spin spin");
            Assert.Equal(ExitCodes.RoleStuck, await first.WaitForExitAsync(HostFolder.Patience));
        }

        // No host running: the list is edited for the next start.
        var (offline, said, _) = await _folder.RolesAsync("--release", "spin");
        Assert.Equal(0, offline);
        Assert.Contains("the next start loads it", said, StringComparison.Ordinal);
        Assert.DoesNotContain("spin.cs", File.ReadAllText(QuarantineStore.PathIn(_folder.Data)), StringComparison.Ordinal);

        await using (var second = _folder.Start())
        {
            await _folder.WaitForRolesAsync(json => json.Contains("\"spin\"", StringComparison.Ordinal) && json.Contains("\"active\"", StringComparison.Ordinal) && !json.Contains("\"quarantined\"", StringComparison.Ordinal));
            await second.SendAsync("/spin spin");
            Assert.Equal(ExitCodes.RoleStuck, await second.WaitForExitAsync(HostFolder.Patience));
        }

        // A running host: it loads the same content again at once.
        await using var third = _folder.Start();
        await _folder.WaitForRolesAsync(json => json.Contains("\"quarantined\"", StringComparison.Ordinal));
        var (online, output, errors) = await _folder.RolesAsync("--release", "spin");
        Assert.True(online == 0, output + errors);
        Assert.Contains("spin", output, StringComparison.Ordinal);
        Assert.Contains("active", output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Stopped, await third.TerminateAsync(HostFolder.Patience));
    }

    [Fact]
    public async Task A_stop_while_a_role_call_holds_the_loop_exits_non_zero_within_the_drain_bound()
    {
        using var folder = new HostFolder("""{ "slowCallThreshold": "00:00:00.500", "hardLimit": "00:05:00" }""", ("spin.cs", AttackRoles.SpinningTool));
        await using var host = folder.Start();
        await host.SendAsync("/timer list_timers");
        await host.WaitForStdoutAsync(line => line == "Listing your timers.", HostFolder.Patience);
        await host.SendAsync("/spin spin");
        await folder.WaitForRolesAsync(json => json.Contains("\"quarantined\"", StringComparison.Ordinal));

        var stopping = Stopwatch.StartNew();
        Assert.Equal(ExitCodes.StopTimedOut, await host.TerminateAsync(HostFolder.Patience));
        Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(25));
        Assert.Contains(host.Stderr, line => line.Contains("did not drain", StringComparison.Ordinal) && line.Contains("spin/spin", StringComparison.Ordinal));

        // The mark stays: the next start keeps spin out.
        Assert.Equal("spin", CrashJournal.ReadPrevious(CrashJournal.PathIn(folder.Data))?.Role);
    }
}
