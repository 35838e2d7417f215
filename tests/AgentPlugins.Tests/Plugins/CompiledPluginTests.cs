using System.Diagnostics;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using AgentPlugins.Host;
using AgentPlugins.Host.Commands;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Plugins;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Tests.Plugins;

/// <summary>
/// A real plugin project (tests/fixtures/plugins/greeter: two roles and its own System.Reactive)
/// built with <c>dotnet build</c>, loaded by the real runtime with McMaster's PluginLoader, rebuilt
/// while it serves. The tests build sequentially (one collection): builds are the slow part.
/// </summary>
[Collection(nameof(CompiledPluginTests))]
public sealed class CompiledPluginTests
{
    private static readonly UnloadVerifierOptions QuickVerdicts = new() { Passes = 6, FirstDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(150) };

    [Fact]
    public async Task A_plugin_serves_every_role_rebuilds_swap_them_together_broken_builds_keep_the_old_and_deleting_retires()
    {
        using var work = new TempFolder();
        var project = new PluginProject("greeter", Path.Combine(work.Path, "greeter"));
        var output = Path.Combine(work.Path, "out");
        await BuildAsync(project, output);

        await using var host = await StartAsync(work, output);
        var greeter = PluginRoles.KeyOf(output, typeof(object)).Replace("System.Object", "Greeter.GreeterRole", StringComparison.Ordinal);
        var rx = greeter.Replace("GreeterRole", "RxRole", StringComparison.Ordinal);
        Assert.Empty(host.StartupFailures);
        Assert.Equal(RoleState.Active, host.Roles.StatusOf(greeter)!.State);
        Assert.Equal(RoleState.Active, host.Roles.StatusOf(rx)!.State);
        Assert.Equal("v1", (await host.AskAsync("/greeter say")).Text);
        var shown = host.Get<HostStatusPublisher>().Snapshot();
        Assert.Equal([output, output], shown.Roles.Select(r => r.Plugin));
        Assert.Contains($"plugin {greeter}", RolesCommand.Format(shown), StringComparison.Ordinal);

        // Its own System.Reactive (6.0.1), not the host's 7.0.0, and the host says so.
        Assert.Equal("6.0.0.0 10", (await host.AskAsync("/rx version")).Text);
        Assert.Contains(host.Get<CompiledPlugins>().Notes, n => n.Contains("uses its own System.Reactive 6.0.0.0 (the host has 7.0.0.0)", StringComparison.Ordinal));

        // Rebuilt with a change: both roles swap in one step, the new build answers, the old context unloads.
        var unloaded = host.Roles.Changes.Where(c => c.State is GenerationState.Unloaded or GenerationState.Leaked && c.Number == 1).Take(2).ToList().ToTask();
        project.Edit("GreeterRole.cs", s => s.Replace("\"v1\"", "\"v2\"", StringComparison.Ordinal));
        await BuildAsync(project, output);
        // (Statuses are written one role after the other; the swap itself was one piece of loop work.)
        await WaitForAsync(host, greeter, s => s.Generation == 2);
        await WaitForAsync(host, rx, s => s.Generation == 2);
        Assert.Equal("v2", (await host.AskAsync("/greeter say")).Text);
        var verdicts = await unloaded.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(verdicts.All(v => v.State == GenerationState.Unloaded), string.Join(" | ", verdicts.Select(v => $"{v.Role} {v.State} {string.Join(" ", v.Diagnostics)}")));
        Assert.Equal(["greeter", "rx"], verdicts.Select(v => v.Role).Order(StringComparer.Ordinal));

        // A build that fails leaves the output as it was: nothing changes.
        project.Edit("GreeterRole.cs", s => s.Replace("\"v2\"", "\"v3\" +", StringComparison.Ordinal));
        Assert.NotEqual(0, (await project.BuildAsync(output)).ExitCode);
        project.Edit("GreeterRole.cs", s => s.Replace("\"v3\" +", "\"v2\"", StringComparison.Ordinal));

        // A build whose role breaks the rules (no description) keeps the old build of every role, naming the type.
        project.Edit("RxRole.cs", s => s.Replace("\"Says which System.Reactive the plugin uses\"", "\"\"", StringComparison.Ordinal));
        await BuildAsync(project, output);
        var failed = await WaitForAsync(host, rx, s => s.State == RoleState.Failed);
        Assert.Contains(failed.LastErrors, e => e.Code == LoadCodes.InvalidConfig && e.Path == rx);
        Assert.Equal(RoleState.Failed, host.Roles.StatusOf(greeter)!.State);
        Assert.Contains(host.Roles.StatusOf(greeter)!.LastErrors, e => e.Code == LoadCodes.PluginTogether);
        Assert.Equal("v2", (await host.AskAsync("/greeter say")).Text);
        Assert.Equal(2, host.Roles.StatusOf(greeter)!.Generation);

        // Deleting the plugin retires its roles.
        Directory.Delete(output, recursive: true);
        await WaitForAsync(host, greeter, s => s.State == RoleState.Retired);
        Assert.Equal(RoleState.Retired, (await WaitForAsync(host, rx, s => s.State == RoleState.Retired)).State);
        Assert.DoesNotContain("greeter", host.Roles.Tools.Keys);
    }

    [Fact]
    public async Task An_output_folder_deleted_and_built_again_swaps_back_in_a_disabled_plugin_stays_out_and_the_own_version_is_logged()
    {
        using var work = new TempFolder();
        var project = new PluginProject("greeter", Path.Combine(work.Path, "greeter"));
        var output = Path.Combine(work.Path, "out");
        await BuildAsync(project, output);

        // Disabled: its roles never load.
        await using (var disabled = await TestRuntime.Create(configure: options => options with { Plugins = [new PluginOptions { Path = output, Enabled = false }] }, folder: new TempFolder()).StartAsync())
        {
            Assert.Empty(disabled.StartupFailures);
            Assert.DoesNotContain(disabled.Roles.Status, s => s.Plugin is not null);
        }

        using var logs = new LogRecorder();
        await using var host = await TestRuntime.Create(
            configure: options => options with { Plugins = [new PluginOptions { Path = output }], Roles = options.Roles with { Unload = QuickVerdicts } },
            folder: new TempFolder(),
            logs: logs).StartAsync();
        var greeter = output + "#Greeter.GreeterRole";
        Assert.Contains(logs.At(LogLevel.Information), m => m == $"{output} uses its own System.Reactive 6.0.0.0 (the host has 7.0.0.0).");

        // `dotnet clean` and a build: the folder goes, then comes back as another folder. Its file
        // watcher went with the old folder; the folder watch sees the new one and loads its build.
        Directory.Delete(output, recursive: true);
        await WaitForAsync(host, greeter, s => s.State == RoleState.Retired);
        project.Edit("GreeterRole.cs", s => s.Replace("\"v1\"", "\"v2\"", StringComparison.Ordinal));
        await BuildAsync(project, output);
        await WaitForAsync(host, greeter, s => s.State == RoleState.Active);
        Assert.Equal("v2", (await host.AskAsync("/greeter say")).Text);
    }

    [Fact]
    public async Task A_build_change_the_file_events_missed_swaps_within_the_rescan_interval()
    {
        using var work = new TempFolder();
        var project = new PluginProject("greeter", Path.Combine(work.Path, "greeter"));
        var output = Path.Combine(work.Path, "out");
        var next = Path.Combine(work.Path, "next");
        await BuildAsync(project, output);
        project.Edit("GreeterRole.cs", s => s.Replace("\"v1\"", "\"v2\"", StringComparison.Ordinal));
        await BuildAsync(project, next);

        // The output's assembly is also reachable through a hard link in another folder: a write through
        // that name changes the output's file, and the output folder's watchers hear nothing of it.
        var aside = Path.Combine(work.Path, "aside");
        Directory.CreateDirectory(aside);
        var link = Path.Combine(aside, "Greeter.dll");
        await RunAsync("ln", Path.Combine(output, "Greeter.dll"), link);

        await using var host = await TestRuntime.Create(
            configure: options => options with { Plugins = [new PluginOptions { Path = output }], Roles = options.Roles with { RescanInterval = TimeSpan.FromSeconds(1), Unload = QuickVerdicts } },
            folder: new TempFolder()).StartAsync();
        var greeter = output + "#Greeter.GreeterRole";
        Assert.Equal("v1", (await host.AskAsync("/greeter say")).Text);

        // That the event is missed is shown, not assumed: a watcher of the output's own sees nothing.
        using var witness = new FileSystemWatcher(output) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size };
        var heard = 0;
        witness.Changed += (_, _) => Interlocked.Increment(ref heard);
        witness.Created += (_, _) => Interlocked.Increment(ref heard);
        witness.EnableRaisingEvents = true;
        await File.WriteAllBytesAsync(link, await File.ReadAllBytesAsync(Path.Combine(next, "Greeter.dll")));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(next, "Greeter.dll")), await File.ReadAllBytesAsync(Path.Combine(output, "Greeter.dll")));

        await WaitForAsync(host, greeter, s => s.Generation == 2);
        Assert.Equal("v2", (await host.AskAsync("/greeter say")).Text);
        Assert.Equal(0, Volatile.Read(ref heard));
    }

    [Fact]
    public async Task A_build_that_cannot_load_is_refused_once_per_build_not_on_every_rescan()
    {
        using var work = new TempFolder();
        var output = Path.Combine(work.Path, "out");
        work.Write(Path.Combine("out", "Greeter.dll"), "not an assembly");
        work.Write(Path.Combine("out", "Greeter.deps.json"), """{ "runtimeTarget": { "name": ".NETCoreApp,Version=v10.0" }, "targets": { ".NETCoreApp,Version=v10.0": {} }, "libraries": {} }""");
        using var logs = new LogRecorder();
        await using var host = await TestRuntime.Create(
            configure: options => options with { Plugins = [new PluginOptions { Path = output }], Roles = options.Roles with { RescanInterval = TimeSpan.FromMilliseconds(200) } },
            folder: new TempFolder(),
            logs: logs).StartAsync();
        Assert.Contains(host.StartupFailures, d => d.Code == LoadCodes.PluginLoad && d.Path == output);
        int Refusals() => logs.At(LogLevel.Error).Count(m => m.Contains(LoadCodes.PluginLoad, StringComparison.Ordinal));

        // Another broken build is tried (and refused) once; then rescans find nothing new to try.
        work.Write(Path.Combine("out", "Greeter.dll"), "still not an assembly");
        var clock = Stopwatch.StartNew();
        while (Refusals() < 2 && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(20);
        }

        Assert.Equal(2, Refusals());
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(2, Refusals());
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program}: {errors}");
    }

    [Fact]
    public async Task A_plugin_that_pins_itself_is_reported_leaked_with_the_cause_named()
    {
        using var work = new TempFolder();
        var project = new PluginProject("greeter", Path.Combine(work.Path, "greeter"));
        project.Edit("GreeterRole.cs", s => s
            .Replace("public void Register(RoleBuilder role) => role.Tools(this);", "public void Register(RoleBuilder role)\n    {\n        AppDomain.CurrentDomain.ProcessExit += OnExit;\n        role.Tools(this);\n    }\n\n    private void OnExit(object? sender, EventArgs e)\n    {\n    }", StringComparison.Ordinal));
        var output = Path.Combine(work.Path, "out");
        await BuildAsync(project, output);
        await using var host = await StartAsync(work, output);
        var greeter = output + "#Greeter.GreeterRole";
        Assert.Equal(RoleState.Active, host.Roles.StatusOf(greeter)!.State);

        var leaked = host.Roles.Changes.Where(c => c.State == GenerationState.Leaked && c.Role == "greeter").FirstAsync().ToTask();
        project.Edit("GreeterRole.cs", s => s.Replace("\"v1\"", "\"v2\"", StringComparison.Ordinal));
        await BuildAsync(project, output);
        await WaitForAsync(host, greeter, s => s.Generation == 2);
        var change = await leaked.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, change.Number);
        Assert.Contains(change.Diagnostics, d => d.Message.Contains("System.AppDomain.ProcessExit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plugin_path_that_does_not_exist_is_refused_naming_the_key()
    {
        using var work = new TempFolder();
        var config = work.Write("plugins.json", """{ "plugins": [ { "path": "nowhere/Greeter.dll" } ] }""");
        var error = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(config));
        Assert.Contains("plugins:0:path", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);

        // Disabled, it may be missing: a fresh checkout runs before the plugin is built.
        var disabled = work.Write("plugins.json", """{ "plugins": [ { "path": "nowhere/Greeter.dll", "enabled": false } ] }""");
        Assert.False(Assert.Single(OptionsLoader.Load(disabled).Options.Plugins).Enabled);
    }

    private static async Task BuildAsync(PluginProject project, string output)
    {
        var (exitCode, log, _) = await project.BuildAsync(output);
        Assert.True(exitCode == 0, log);
    }

    private static Task<TestRuntime> StartAsync(TempFolder work, string output) =>
        TestRuntime.Create(
            configure: options => options with
            {
                Plugins = [new PluginOptions { Path = output }],
                Roles = options.Roles with { Unload = QuickVerdicts },
            },
            folder: new TempFolder()).StartAsync();

    private static async Task<RoleStatus> WaitForAsync(TestRuntime host, string key, Func<RoleStatus, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (host.Roles.StatusOf(key) is { } status && condition(status))
            {
                return status;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                var last = host.Roles.StatusOf(key);
                throw new TimeoutException($"{key} never reached the expected state; last: {last?.ToString() ?? "no status"} {string.Join(" | ", last?.LastErrors ?? [])}");
            }

            await Task.Delay(20);
        }
    }
}
