using System.Diagnostics;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.Reload;

/// <summary>
/// Reloads the sample role many times, each a new content (so Roslyn compiles every one), and
/// measures what is left afterwards: leaked generations, managed heap and RSS growth after a full
/// collection, compared with a baseline taken after a warm-up.
/// </summary>
internal static class ReloadCycles
{
    public static async Task<Result> RunAsync(int cycles)
    {
        await using var bench = await TestRuntime.StartAsync(new Dictionary<string, string> { ["sample.cs"] = BenchRoles.Sample("start") }, roles => roles with { Watch = false });
        const int warmup = 30;
        for (var i = 0; i < warmup; i++)
        {
            await LoadAsync(bench, bench.PathOf("sample.cs"), $"warm{i}");
        }

        await bench.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(60));
        var (heapBefore, rssBefore) = Measure();
        var unloads = bench.Unloads;
        var (passesBefore, clearsBefore, passTimeBefore) = (unloads.Passes, unloads.CacheClears, unloads.PassTime);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < cycles; i++)
        {
            await LoadAsync(bench, bench.PathOf("sample.cs"), $"cycle{i}");
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var idle = await bench.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(120));
        var (passes, clears, passTime) = (unloads.Passes - passesBefore, unloads.CacheClears - clearsBefore, unloads.PassTime - passTimeBefore);
        var (heapAfter, rssAfter) = Measure();
        return new Result(
            cycles,
            bench.Unloads.Unloaded - warmup,
            bench.Unloads.Leaked,
            idle ? 0 : bench.Unloads.Pending,
            (heapAfter - heapBefore) / (1024.0 * 1024.0),
            (rssAfter - rssBefore) / (1024.0 * 1024.0),
            heapAfter / (1024.0 * 1024.0),
            rssAfter / (1024.0 * 1024.0),
            elapsed.TotalMilliseconds / cycles,
            passes,
            clears,
            passTime.TotalMilliseconds / cycles);
    }

    private static async Task LoadAsync(TestRuntime bench, string path, string marker)
    {
        var errors = await bench.LoadSourceAsync(path, BenchRoles.Sample(marker));
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
        }
    }

    private static (long Heap, long Rss) Measure()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    internal sealed record Result(int Cycles, long Unloaded, long Leaked, int Pending, double HeapGrowthMb, double RssGrowthMb, double HeapMb, double RssMb, double MsPerCycle, long Passes, long CacheClears, double VerifyMsPerCycle);
}
