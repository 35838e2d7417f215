using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Tests.Plugins;

/// <summary>The sample plugin plugins/calendar (Ical.Net), as built with the solution, loaded by the real runtime on plugins/calendar/sample.ics.</summary>
public sealed class CalendarPluginTests
{
    // The build output next to this test's own: same configuration.
    private static readonly string Output = Path.Combine(
        Repository.Root, "plugins", "calendar", "bin", Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!, "net10.0");

    [Fact]
    public async Task The_calendar_plugin_answers_what_is_on_today_and_next_and_sets_a_reminder_before_the_next_event()
    {
        // Monday 2 March 2026, 10:00 UTC: the stand-up (09:30) is over, lunch (12:30) is next.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));
        await using var host = await TestRuntime.Create(
            clock: clock,
            configure: options => options with
            {
                Plugins = [new PluginOptions { Path = Output, Settings = new() { ["ics"] = Path.Combine(Repository.Root, "plugins", "calendar", "sample.ics"), ["timeZone"] = "UTC" } }],
            }).StartAsync();
        Assert.Empty(host.StartupFailures);
        Assert.Equal(RoleState.Active, host.Roles.StatusOf($"{Output}#AgentPlugins.Calendar.CalendarRole")!.State);

        await host.AskAsync("/calendar today");
        await host.Console.WaitForAsync(m => m.Text == "Today: 09:30 Stand-up; 12:30 Lunch");

        await host.AskAsync("/calendar next");
        await host.Console.WaitForAsync(m => m.Text == "Next: Lunch at Mon 2026-03-02 12:30.");

        await host.AskAsync("/calendar remind_next 15");
        await host.Console.WaitForAsync(m => m.Text.StartsWith("Reminder set (", StringComparison.Ordinal) && m.Text.EndsWith("for Lunch at 12:30, 15 minutes before.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_its_ics_setting_the_calendar_says_which_setting_is_missing()
    {
        await using var host = await TestRuntime.Create(configure: options => options with { Plugins = [new PluginOptions { Path = Output }] }).StartAsync();
        await host.AskAsync("/calendar today");
        await host.Console.WaitForAsync(m => m.Text.Contains("no 'ics' setting", StringComparison.Ordinal));
    }
}
