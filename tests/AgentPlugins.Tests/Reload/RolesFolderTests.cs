using AgentPlugins.Host;
using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Reload;

/// <summary>
/// The roles folder itself moved, deleted, recreated or swapped while the host runs: what serves goes
/// on serving, the host says what happened, and it follows the folder at its path, not the old one.
/// </summary>
public sealed class RolesFolderTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_moved_away_folder_keeps_its_roles_serving_and_edits_to_the_moved_copy_change_nothing()
    {
        using var logs = new LogRecorder();
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") }, logs: logs);
        var away = host.RolesFolder + ".old";

        Directory.Move(host.RolesFolder, away);
        await logs.WaitForAsync("was moved or deleted", Patience);
        File.WriteAllText(Path.Combine(away, "echo.cs"), SampleRoles.Echo("v2"));
        File.Delete(Path.Combine(away, "echo.cs"));
        await Task.Delay(500);

        Assert.Equal("v1", await host.PingAsync());
        Assert.Equal(RoleState.Active, host.StatusOf("echo.cs")!.State);
        Assert.Equal(1, host.StatusOf("echo.cs")!.Generation);
    }

    [Fact]
    public async Task A_folder_deleted_with_its_files_keeps_the_roles_and_a_recreated_one_is_loaded()
    {
        using var logs = new LogRecorder();
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") }, logs: logs);

        Directory.Delete(host.RolesFolder, recursive: true);
        await logs.WaitForAsync("was moved or deleted", Patience);
        Assert.Equal("v1", await host.PingAsync());
        Assert.Equal(RoleState.Active, host.StatusOf("echo.cs")!.State);

        Directory.CreateDirectory(host.RolesFolder);
        host.Write("echo.cs", SampleRoles.Echo("v2"));
        await host.WaitForAsync("echo.cs", s => s.State == RoleState.Active && s.Generation == 2, Patience);

        Assert.Equal("v2", await host.PingAsync());
        await logs.WaitForAsync("appeared", Patience);
    }

    [Fact]
    public async Task A_folder_swapped_for_another_is_loaded_from_the_new_one_and_roles_it_lacks_retire()
    {
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string>
        {
            ["echo.cs"] = SampleRoles.Echo("old"),
            ["other.cs"] = SampleRoles.Echo("other", name: "other"),
        });
        var next = host.RolesFolder + ".new";
        Directory.CreateDirectory(next);
        File.WriteAllText(Path.Combine(next, "echo.cs"), SampleRoles.Echo("new"));

        // A deploy's swap: the old folder out, the new one in, in quick succession.
        Directory.Move(host.RolesFolder, host.RolesFolder + ".old");
        Directory.Move(next, host.RolesFolder);

        await host.WaitForAsync("echo.cs", s => s.State == RoleState.Active && s.Generation == 2, Patience);
        await host.WaitForAsync("other.cs", s => s.State == RoleState.Retired, Patience);
        Assert.Equal("new", await host.PingAsync());

        // And the new folder is the one watched from now on.
        host.Write("echo.cs", SampleRoles.Echo("newer"));
        await host.WaitForAsync("echo.cs", s => s.Generation == 3, Patience);
        Assert.Equal("newer", await host.PingAsync());
    }

    [Fact]
    public async Task The_periodic_rescan_catches_a_change_the_file_watcher_cannot_see()
    {
        using var outside = new TempFolder();
        await using var host = await TestRuntime.StartAsync(new Dictionary<string, string> { ["echo.cs"] = SampleRoles.Echo("v1") }, roles => roles with { RescanInterval = TimeSpan.FromMilliseconds(300) });
        var link = Path.Combine(outside.Path, "echo.cs");
        using (var ln = System.Diagnostics.Process.Start("ln", [host.PathOf("echo.cs"), link]))
        {
            await ln.WaitForExitAsync();
            Assert.Equal(0, ln.ExitCode);
        }


        // A write through a hard link in another folder raises no event in the roles folder's watch.
        File.WriteAllText(link, SampleRoles.Echo("v2"));

        await host.WaitForAsync("echo.cs", s => s.Generation == 2, Patience);
        Assert.Equal("v2", await host.PingAsync());
    }

    [Fact]
    public void The_rescan_interval_is_checked_and_documented()
    {
        using var folder = new TempFolder();
        var bad = folder.Write("plugins.json", "{ \"roles\": { \"rescanInterval\": \"00:00:00.001\" } }");

        var error = Assert.Throws<ConfigurationException>(() => Host.Configuration.OptionsLoader.Load(bad));

        Assert.Contains("roles:rescanInterval", error.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, Host.Configuration.OptionsLoader.Load(folder.Write("off.json", "{ \"roles\": { \"rescanInterval\": \"00:00:00\" } }")).Options.Roles.RescanInterval);
        Assert.Contains("roles:rescanInterval", File.ReadAllText(Path.Combine(Repository.Root, "docs", "configuration.md")), StringComparison.Ordinal);
    }
}
