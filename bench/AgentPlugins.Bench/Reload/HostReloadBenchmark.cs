using System.Globalization;
using System.Text;

namespace AgentPlugins.Bench.Reload;

/// <summary>Only the real-host part of <c>make bench-reload</c> (<c>bench reload-host</c>), for comparing host builds and JIT settings quickly.</summary>
internal sealed class HostReloadBenchmark : IBenchmark
{
    public string Name => "reload-host";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var loadBefore = ReloadBenchmark.LoadAverage();
        var saves = int.Parse(Environment.GetEnvironmentVariable("BENCH_SAVES") ?? "60", CultureInfo.InvariantCulture);
        var host = await HostReload.RunAsync(saves, 20, 3);
        return new StringBuilder()
            .AppendLine("# Hot reload in the real host (`bench reload-host`)")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Describe()}")
            .AppendLine()
            .Append(ReloadBenchmark.HostSection(host))
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Load average (1 min) at start {loadBefore}, at end {ReloadBenchmark.LoadAverage()}.")
            .ToString();
    }
}
