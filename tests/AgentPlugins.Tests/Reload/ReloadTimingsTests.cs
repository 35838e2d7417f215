using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Reload;

public sealed class ReloadTimingsTests
{
    [Fact]
    public async Task A_load_records_every_stage_in_order()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") }, roles => roles with { Watch = false });
        var timings = new LoadTimings();

        Assert.Empty((await host.Roles.ApplyAsync(RoleFile.FromText(host.PathOf("echo.cs"), SampleRoles.Echo("v2")), timings)).Diagnostics);

        var compile = Assert.IsType<Host.Compilation.CompileTimings>(timings.Compile);
        Assert.False(compile.FromCache);
        long[] marks = [compile.Started, compile.Parsed, compile.Ended, timings.OnLoop, timings.Loaded, timings.Swapped];
        Assert.All(marks, mark => Assert.NotEqual(0, mark));
        Assert.Equal(marks.Order(), marks);

        // The rules and the emit run side by side, both after the parse.
        Assert.InRange(compile.Checked, compile.Parsed, compile.Ended);
        Assert.InRange(compile.Emitted, compile.Parsed, compile.Ended);
        Assert.Equal("v2", await host.PingAsync());
    }

    [Fact]
    public async Task A_result_from_the_compile_cache_says_so()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") }, roles => roles with { Watch = false });
        Assert.Empty(await host.LoadSourceAsync(host.PathOf("echo.cs"), SampleRoles.Echo("v2")));
        var timings = new LoadTimings();

        Assert.Empty((await host.Roles.ApplyAsync(RoleFile.FromText(host.PathOf("echo.cs"), SampleRoles.Echo("v1")), timings)).Diagnostics);

        Assert.True(timings.Compile!.FromCache);
        Assert.Contains("(compile cache)", timings.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_save_picked_up_by_the_watcher_logs_one_timings_line_with_every_stage()
    {
        using var logs = new LogRecorder();
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") }, logs: logs);

        // The first save may be taken up by the reloader's start-up rescan, which has no file event to time.
        host.Write("echo.cs", SampleRoles.Echo("v2"));
        await host.WaitForAsync("echo.cs", s => s.Generation == 2);
        host.Write("echo.cs", SampleRoles.Echo("v3"));
        await host.WaitForAsync("echo.cs", s => s.Generation == 3);
        var line = await logs.WaitForAsync("Reload timings", TimeSpan.FromSeconds(30));

        Assert.Contains(host.PathOf("echo.cs"), line, StringComparison.Ordinal);
        foreach (var stage in new[] { "debounce=", "read=", "parse=", "rules=", "emit=", "queue=", "load=", "swap=", "event@", "swapped@" })
        {
            Assert.Contains(stage, line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_timings_key_is_read_from_plugins_json_and_the_environment_as_documented()
    {
        using var folder = new TempFolder();
        var config = folder.Write("plugins.json", "{ \"roles\": { \"reloadTimings\": true } }");

        Assert.True(Host.Configuration.OptionsLoader.Load(config).Options.Roles.ReloadTimings);
        Assert.False(Host.Configuration.OptionsLoader.Load(folder.Write("empty.json", "{}")).Options.Roles.ReloadTimings);
        Assert.Contains("AGENTPLUGINS_ROLES__RELOADTIMINGS", File.ReadAllText(Path.Combine(Repository.Root, "docs", "configuration.md")), StringComparison.Ordinal);
    }
}
