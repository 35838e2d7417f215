using System.Diagnostics;
using System.Globalization;
using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.Reload;

/// <summary>
/// Save → first event handled by the new generation: the role file is rewritten in place while a
/// publisher sends a PING every millisecond; the time runs from the write's return to the first
/// PING answered with the new marker. Everything real: watcher, debounce, Roslyn, load, swap.
/// </summary>
internal static class SaveToHandled
{
    public static async Task<(double P50, double P99, double Max, int Edits, long Compiles, List<Dictionary<string, double>> Stages)> RunAsync(int edits)
    {
        using var log = new TimingsLog();
        await using var bench = await TestRuntime.StartAsync(new Dictionary<string, string> { ["sample.cs"] = BenchRoles.Sample("start") }, logs: log);
        using var stop = new CancellationTokenSource();
        var pinger = Task.Run(async () =>
        {
            var seq = 0L;
            while (!stop.IsCancellationRequested)
            {
                var data = new Dictionary<string, string> { ["seq"] = (seq++).ToString(CultureInfo.InvariantCulture) };
                await bench.Bus.PublishAsync(new BusEvent("PING", data), EventOrigin.Host);
                await Task.Delay(1);
            }
        });

        var compilesBefore = bench.CompileCache.Compiles;
        var latencies = new List<double>();
        var stages = new List<Dictionary<string, double>>();
        for (var edit = 0; edit < edits; edit++)
        {
            var logged = log.Lines.Count;
            var marker = $"edit{edit}";
            var handled = bench.Sink.Await(marker);
            await File.WriteAllTextAsync(bench.PathOf("sample.cs"), BenchRoles.Sample(marker));
            var saved = Stopwatch.GetTimestamp();
            var at = await handled.WaitAsync(TimeSpan.FromSeconds(30));
            latencies.Add(Stopwatch.GetElapsedTime(saved, at).TotalMilliseconds);
            // A save the watcher saw as a rescan (or in two events, the first of them empty) has no
            // timings line of its own: its latency counts, its stages are left out.
            var waited = Stopwatch.StartNew();
            while (log.Lines.Count == logged && waited.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(1);
            }

            if (log.Lines.Count > logged)
            {
                stages.Add(ReloadStages.Parse(log.Lines[logged], saved, at));
            }

            // A pause like a person's between saves, so each edit is measured on its own.
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        await pinger;
        latencies.Sort();
        return (Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies[^1], edits, bench.CompileCache.Compiles - compilesBefore, stages);
    }

    internal static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
