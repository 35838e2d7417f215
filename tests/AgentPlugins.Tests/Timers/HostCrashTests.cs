using System.Text.RegularExpressions;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Timers;

/// <summary>
/// Durability against a real crash: the real <c>bin/host</c>, a real SQLite file, <c>kill -9</c>.
/// These run on the real clock (a separate process cannot share a fake one), so they wait for real seconds.
/// </summary>
public sealed partial class HostCrashTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempFolder _folder = new();

    public HostCrashTests()
    {
        _folder.Write("roles/timer.cs", File.ReadAllText(Repository.SampleRole("timer.cs")));
        _folder.Write("plugins.json", """
            {
              "roles": { "folder": "roles" },
              "storage": { "dataFolder": "data" },
              "timers": { "timeZone": "UTC" },
              "channels": { "console": { "enabled": true, "user": "ann" } }
            }
            """);
    }

    private string Config => Path.Combine(_folder.Path, "plugins.json");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_timer_set_before_kill_minus_9_fires_once_after_the_restart()
    {
        await using (var first = HostProcess.Start(_folder.Path, "run", "--config", Config))
        {
            await first.SendAsync("/timer set_timer 8s tea");
            await first.WaitForStdoutAsync(l => l.StartsWith("[notify] Timer 'tea' set (t1)", StringComparison.Ordinal), Patience);
            await first.KillAsync();
            Assert.DoesNotContain(first.Stdout, IsDone);
        }

        await using var second = HostProcess.Start(_folder.Path, "run", "--config", Config);
        await second.WaitForStdoutAsync(IsDone, Patience);

        // A second delivery would follow within milliseconds; a fresh timer set now fires after it would have.
        await second.SendAsync("/timer set_timer 1s marker");
        await second.WaitForStdoutAsync(l => l.StartsWith("[!] Timer 'marker' is done", StringComparison.Ordinal), Patience);
        // On time, or marked late when the restart took longer than the timer had left: either way, once.
        Assert.Single(second.Stdout, IsDone);
    }

    [Fact]
    public async Task Timers_due_while_the_host_was_killed_fire_once_at_start_marked_late()
    {
        await using (var first = HostProcess.Start(_folder.Path, "run", "--config", Config))
        {
            await first.SendAsync("/timer set_timer 2s tea");
            await first.SendAsync("/timer set_timer 3s eggs");
            await first.SendAsync("/timer set_timer 1h later");
            await first.WaitForStdoutAsync(l => l.StartsWith("[notify] Timer 'later' set", StringComparison.Ordinal), Patience);
            await first.KillAsync();
        }

        // Downtime on the real clock: both short timers come due while no host runs.
        await Task.Delay(TimeSpan.FromSeconds(4));

        await using var second = HostProcess.Start(_folder.Path, "run", "--config", Config);
        var tea = await second.WaitForStdoutAsync(l => l.StartsWith("[!] Timer 'tea' is done", StringComparison.Ordinal), Patience);
        var eggs = await second.WaitForStdoutAsync(l => l.StartsWith("[!] Timer 'eggs' is done", StringComparison.Ordinal), Patience);
        await second.SendAsync("/timer list_timers");
        await second.WaitForStdoutAsync(l => l.Contains("'later'", StringComparison.Ordinal) && l.Contains("left", StringComparison.Ordinal), Patience);

        Assert.Matches(Late(), tea);
        Assert.Matches(Late(), eggs);
        Assert.Single(second.Stdout, l => l.StartsWith("[!] Timer 'tea' is done", StringComparison.Ordinal));
        Assert.Single(second.Stdout, l => l.StartsWith("[!] Timer 'eggs' is done", StringComparison.Ordinal));
        Assert.Equal(2, TimerRig.CountInFile(Path.Combine(_folder.Path, "data", "timers.db"), "fired"));
    }

    private static bool IsDone(string line) => line.StartsWith("[!] Timer 'tea' is done", StringComparison.Ordinal);

    [GeneratedRegex(@"is done \(\d+ s late\)\.$")]
    private static partial Regex Late();
}
