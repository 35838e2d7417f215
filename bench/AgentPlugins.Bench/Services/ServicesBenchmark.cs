using System.Globalization;
using System.Text;

namespace AgentPlugins.Bench.Services;

/// <summary>
/// The host services roles call (<c>context.Store</c>, <c>context.Http</c>) against the same work done without the
/// host, each measured with its baseline in the same run. One section per service.
/// </summary>
internal sealed class ServicesBenchmark : IBenchmark
{
    public string Name => "services";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var report = new StringBuilder();
        report.AppendLine("# Services: host services from role code vs the same work without the host").AppendLine();
        report.AppendLine(Machine.Describe()).AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Load average when the run started: {LoadAverage()} (2 cores shared with other sessions: the tails move with them).").AppendLine();
        report.Append(await StoreSection.RunAsync(cancellationToken).ConfigureAwait(false));
        report.AppendLine();
        report.Append(await HttpSection.RunAsync(cancellationToken).ConfigureAwait(false));
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Load average when the run ended: {LoadAverage()}.").AppendLine();
        report.Append("Run with `make bench-services`.");
        return report.ToString();
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
