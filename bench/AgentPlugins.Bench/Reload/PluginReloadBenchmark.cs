using System.Globalization;
using System.Text;

namespace AgentPlugins.Bench.Reload;

/// <summary>Only the compiled-plugin part of <c>make bench-reload</c> (<c>bench reload-plugin</c>).</summary>
internal sealed class PluginReloadBenchmark : IBenchmark
{
    internal const int Rounds = 10;

    public string Name => "reload-plugin";

    internal static string Section(PluginRebuild.Result plugin, string loadBefore, string loadAfter)
    {
        var c = CultureInfo.InvariantCulture;
        static string Verdict(bool met) => met ? "met" : "**missed**";
        return new StringBuilder()
            .AppendLine("## Compiled plugin rebuild (tests/fixtures/plugins/greeter: two roles, its own System.Reactive)")
            .AppendLine()
            .AppendLine("| measure (median) | result | goal | |")
            .AppendLine("|---|---:|---:|---|")
            .AppendLine(c, $"| `dotnet build` of the plugin after a one-line change ({plugin.Rounds} rounds, restore done) | {plugin.Build:F0} ms | | |")
            .AppendLine(c, $"| after the build: copy aside + hash of the output | {plugin.Copy:F1} ms | | |")
            .AppendLine(c, $"| after the build: McMaster `PluginLoader` load (context, assembly, role types) | {plugin.Load:F1} ms | | |")
            .AppendLine(c, $"| after the build: swap (one loop step: both roles created, checked, swapped) | {plugin.Swap:F1} ms | | |")
            .AppendLine(c, $"| **after the build → the new build answering** (copy, load, swap, first answer) | **{plugin.AfterBuild:F0} ms** | ≤ 100 ms | {Verdict(plugin.AfterBuild <= 100)} |")
            .AppendLine(c, $"| the watcher's quiet time before it loads a build (fixed debounce, not in the row above) | {plugin.Debounce:F0} ms | | |")
            .AppendLine(c, $"| **plugin rebuild → live** (build + debounce + the row above) | **{plugin.Build + plugin.Debounce + plugin.AfterBuild:F0} ms** | | |")
            .AppendLine(c, $"| a build that changed nothing: hash and compare, nothing loaded | {plugin.Unchanged:F1} ms | | |")
            .AppendLine()
            .AppendLine("Measured in a real runtime with watching off: after each `dotnet build` the bench runs what the watcher runs once the build has been quiet (copy + hash, load, `ApplyPluginAsync`), each step timed, then asks `/greeter say` until it answers the new text. Beside the rows of the sections above: role file save → live is the `save → new code answering` row, the restart way is the `without hot reload` rows.")
            .AppendLine()
            .AppendLine(c, $"Load average (1 min) at start {loadBefore}, at end {loadAfter}.")
            .AppendLine()
            .ToString();
    }

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var loadBefore = ReloadBenchmark.LoadAverage();
        var plugin = await PluginRebuild.RunAsync(Rounds);

        // The baseline, in the same run: a role file saved in a test runtime until the new generation answers.
        var save = await SaveToHandled.RunAsync(Rounds * 2);
        return new StringBuilder()
            .AppendLine("# Compiled plugin reload (`bench reload-plugin`)")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Describe()}")
            .AppendLine()
            .Append(Section(plugin, loadBefore, ReloadBenchmark.LoadAverage()))
            .AppendLine(CultureInfo.InvariantCulture, $"Baseline in the same run: a role file save → first event handled by the new generation (test runtime, {save.Edits} edits): p50 {save.P50:F0} ms, p99 {save.P99:F0} ms.")
            .AppendLine()
            .ToString();
    }
}
