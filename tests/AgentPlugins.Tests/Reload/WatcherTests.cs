using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Reload;

public sealed class WatcherTests
{
    [Fact]
    public async Task Deleting_a_role_file_retires_the_role()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") });
        Assert.Equal("v1", await host.PingAsync());

        File.Delete(host.PathOf("echo.cs"));
        await host.WaitForAsync("echo.cs", s => s.State == RoleState.Retired);

        Assert.Null(await host.PingAsync(TimeSpan.FromMilliseconds(300)));
        Assert.False(host.Roles.Tools.ContainsKey("echo"));
        Assert.True(await host.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(1, host.Unloads.Unloaded);
    }

    [Fact]
    public async Task Renaming_a_role_file_away_retires_it_and_renaming_it_back_loads_it_again()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") });

        File.Move(host.PathOf("echo.cs"), host.PathOf("echo.cs.bak"));
        await host.WaitForAsync("echo.cs", s => s.State == RoleState.Retired);
        Assert.Null(await host.PingAsync(TimeSpan.FromMilliseconds(300)));

        File.Move(host.PathOf("echo.cs.bak"), host.PathOf("echo.cs"));
        var back = await host.WaitForAsync("echo.cs", s => s.State == RoleState.Active);

        Assert.Equal(2, back.Generation);
        Assert.Equal("v1", await host.PingAsync());
    }

    [Fact]
    public async Task Renaming_to_another_role_file_name_moves_the_role()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") });

        File.Move(host.PathOf("echo.cs"), host.PathOf("echo2.cs"));
        var moved = await host.WaitForAsync("echo2.cs", s => s.State == RoleState.Active);
        await host.WaitForAsync("echo.cs", s => s.State == RoleState.Retired);

        // Generations count per role, so the moved role goes on from where it was.
        Assert.Equal(2, moved.Generation);
        Assert.Equal("v1", await host.PingAsync());

        // One move, whichever of the editor's two events came first: no false name clash on the console.
        Assert.DoesNotContain(host.Console.Messages, m => m.Text.Contains("did not load", StringComparison.Ordinal));
        await host.Console.WaitForAsync(m => m.Text.Contains("echo2.cs: role echo generation 2 serving", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_that_cannot_be_a_role_is_reported_once_not_on_every_rescan()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string>());
        await File.WriteAllBytesAsync(host.PathOf("x.cs"), [0, 1, 2, 3]);
        await host.WaitForAsync("x.cs", s => s.State == RoleState.Failed);

        await File.WriteAllBytesAsync(host.PathOf("x.cs"), [0, 1, 2, 3]);
        await Task.Delay(500);

        Assert.Single(host.Console.Messages, m => m.Text.Contains("x.cs did not load", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_new_file_is_loaded()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string>());

        host.Write("echo.cs", SampleRoles.Echo("new"));
        await host.WaitForAsync("echo.cs", s => s.State == RoleState.Active);

        Assert.Equal("new", await host.PingAsync());
    }

    [Fact]
    public async Task An_editor_save_through_a_temporary_file_and_rename_loads_once()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") });
        var compiles = host.CompileCache.Compiles;

        // What many editors do: write a hidden temp file next to it, then rename it over the original.
        var temporary = host.PathOf(".echo.tmp.cs");
        File.WriteAllText(temporary, SampleRoles.Echo("v2"));
        File.Move(temporary, host.PathOf("echo.cs"), overwrite: true);
        await host.WaitForAsync("echo.cs", s => s.Generation == 2);
        await Task.Delay(200);

        Assert.Equal("v2", await host.PingAsync());
        Assert.Equal(compiles + 1, host.CompileCache.Compiles);
        Assert.Equal(2, host.StatusOf("echo.cs")!.Generation);
        Assert.Null(host.StatusOf(".echo.tmp.cs"));
    }

    [Fact]
    public async Task A_burst_of_twenty_writes_ends_in_the_final_content_compiled_only_a_few_times()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("b00") });
        var compiles = host.CompileCache.Compiles;

        // Twenty saves a few milliseconds apart (about 60 ms in all), like an editor's burst.
        var burst = System.Diagnostics.Stopwatch.StartNew();
        var gaps = new List<double>();
        for (var i = 1; i <= 20; i++)
        {
            var before = burst.Elapsed.TotalMilliseconds;
            host.Write("echo.cs", SampleRoles.Echo($"b{i:D2}"));
            Thread.Sleep(3);
            gaps.Add(burst.Elapsed.TotalMilliseconds - before);
        }

        var elapsed = burst.Elapsed;

        // A writer stalled by a loaded machine may rightly be taken as two saves: the wait is twice the
        // longest gap seen in the burst (at most roles:debounce, 25 ms), so only a gap of more than
        // twice the burst's usual one, or of half the debounce, earns an extra compile.
        var usual = gaps.Order().ElementAt(gaps.Count / 2);
        var stalls = gaps.Count(g => g > Math.Min(2 * usual, 12.5));
        var final = Host.Compilation.RoleFile.HashOf(SampleRoles.Echo("b20"));
        await host.WaitForAsync("echo.cs", s => s.State == RoleState.Active && s.ContentHash == final);
        await Task.Delay(300);

        Assert.Equal("b20", await host.PingAsync());
        var compiled = host.CompileCache.Compiles - compiles;
        Assert.True(compiled >= 1 && compiled <= 3 + stalls, $"{compiled} compiles for a burst of 20 writes in {elapsed.TotalMilliseconds:F0} ms ({stalls} stalls of the writer)");
    }
}
