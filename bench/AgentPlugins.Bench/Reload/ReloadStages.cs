using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentPlugins.Bench.Reload;

/// <summary>
/// One reload's stage times, read from the host's "Reload timings" log line
/// (<c>roles:reloadTimings</c>): the host's own stages in milliseconds, plus the file event
/// and first dispatch, which need the bench's save and answer times (both clocks are the machine's
/// monotonic clock, so they compare across processes).
/// </summary>
internal static partial class ReloadStages
{
    /// <summary>The stages in the order a save goes through them.</summary>
    public static readonly string[] Names = ["file event", "debounce", "read", "parse", "rules", "emit", "queue", "load", "swap", "first dispatch"];

    public static Dictionary<string, double> Parse(string line, long saved, long answered)
    {
        var stages = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Match m in Stage().Matches(line))
        {
            stages[m.Groups[1].Value] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        var marks = Marks().Match(line);
        if (marks.Success)
        {
            var eventAt = long.Parse(marks.Groups[1].Value, CultureInfo.InvariantCulture);
            var swappedAt = long.Parse(marks.Groups[2].Value, CultureInfo.InvariantCulture);
            stages["file event"] = Stopwatch.GetElapsedTime(saved, eventAt).TotalMilliseconds;
            if (answered != 0)
            {
                stages["first dispatch"] = Stopwatch.GetElapsedTime(swappedAt, answered).TotalMilliseconds;
            }
        }

        return stages;
    }

    /// <summary>A Markdown table row per stage: median and p90 over the reloads that went through it.</summary>
    public static IEnumerable<string> Table(IReadOnlyList<Dictionary<string, double>> reloads)
    {
        foreach (var name in Names)
        {
            var values = reloads.Where(r => r.ContainsKey(name)).Select(r => r[name]).Order().ToList();
            if (values.Count > 0)
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"| {name} | {Percentile(values, 0.5):F1} | {Percentile(values, 0.9):F1} |");
            }
        }
    }

    public static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    [GeneratedRegex(@"\b([a-z]+)=([0-9.]+)")]
    private static partial Regex Stage();

    [GeneratedRegex(@"event@(\d+) swapped@(\d+)")]
    private static partial Regex Marks();
}
