using System.Diagnostics;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Plugins;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.Reload;

/// <summary>
/// Hot reload of a compiled plugin: the fixture plugin (tests/fixtures/plugins/greeter, two roles
/// and its own System.Reactive) served by a real runtime; each round changes one line, runs
/// <c>dotnet build</c>, then brings the new build into service the way the watcher does once the
/// build has been quiet for its debounce (copy + hash, McMaster load, one loop step swapping both
/// roles), and asks the role until it answers with the new text.
/// </summary>
internal static class PluginRebuild
{
    internal sealed record Result(int Rounds, double Build, double Copy, double Load, double Swap, double AfterBuild, double Debounce, double Unchanged);

    public static async Task<Result> RunAsync(int rounds)
    {
        using var work = new TempFolder();
        var project = new PluginProject("greeter", Path.Combine(work.Path, "greeter"));
        var output = Path.Combine(work.Path, "out");
        await BuildAsync(project, output);
        var plugin = new PluginOptions { Path = output };
        await using var host = await TestRuntime.Create(
            configure: options => options with { Plugins = [plugin], Roles = options.Roles with { Watch = false } },
            folder: new TempFolder()).StartAsync();
        var plugins = host.Get<CompiledPlugins>();

        List<double> build = [], copy = [], load = [], swap = [], after = [], unchanged = [];
        var marker = "v1";
        for (var round = 0; round < rounds; round++)
        {
            var next = $"r{round}";
            var previous = marker;
            project.Edit("GreeterRole.cs", s => s.Replace($"\"{previous}\"", $"\"{next}\"", StringComparison.Ordinal));
            marker = next;
            build.Add((await BuildAsync(project, output)).TotalMilliseconds);

            var clock = Stopwatch.StartNew();
            var snapshot = PluginSnapshot.Take(output, plugins.Copies);
            copy.Add(clock.Elapsed.TotalMilliseconds);
            var loadStart = clock.Elapsed;
            var roles = PluginAssemblies.Load(snapshot, plugin.Settings, out _);
            load.Add((clock.Elapsed - loadStart).TotalMilliseconds);
            var swapStart = clock.Elapsed;
            await host.Roles.ApplyPluginAsync(roles);
            swap.Add((clock.Elapsed - swapStart).TotalMilliseconds);
            while ((await host.AskAsync("/greeter say")).Text != next)
            {
                await Task.Delay(1);
            }

            after.Add(clock.Elapsed.TotalMilliseconds);

            // The watcher's check when nothing changed (a build that wrote the same files): hash, compare.
            var same = Stopwatch.StartNew();
            await plugins.RefreshAsync(plugin);
            unchanged.Add(same.Elapsed.TotalMilliseconds);
        }

        return new Result(rounds, Median(build), Median(copy), Median(load), Median(swap), Median(after), CompiledPlugins.DefaultDebounce.TotalMilliseconds, Median(unchanged));
    }

    private static async Task<TimeSpan> BuildAsync(PluginProject project, string output)
    {
        var (exitCode, log, took) = await project.BuildAsync(output);
        return exitCode == 0 ? took : throw new InvalidOperationException($"dotnet build of the fixture plugin failed: {log}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
