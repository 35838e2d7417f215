using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentPlugins.Bench.Http;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentPlugins.Bench.Mcp;

/// <summary>
/// One MCP <c>tools/call</c> round trip (official C# client, Streamable HTTP session) against the same
/// tool called through <c>POST /api/requests</c> as a direct command, one caller at a time, in the same
/// process and rounds.
/// </summary>
internal sealed class McpBenchmark : IBenchmark
{
    private const int Rounds = 5;
    private const int Calls = 2000;
    private const int WarmupCalls = 1000;

    public string Name => "mcp";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var loadBefore = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var report = new StringBuilder();
        report.AppendLine("# MCP tool calls").AppendLine();
        report.AppendLine(Machine.Describe()).AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"`make bench-mcp` (bench/AgentPlugins.Bench/Mcp). The host as `host run` composes it, in this process on a loopback port, with one role `echo` whose tool `say` returns its text. One caller at a time, keep-alive connections: **MCP** = `tools/call` of `echo-say` `{{\"text\":\"hi\"}}` by the official C# client (`ModelContextProtocol` 2.4.0, Streamable HTTP, one session) until its `CallToolResult` is read; **/api/requests** = `POST /api/requests` `{{\"text\":\"/echo say hi\"}}` until its JSON answer is read (the same tool on the loop through the same workflow engine, plus the reply written to the durable outbox). {WarmupCalls:N0} warm-up calls each, then {Rounds} rounds of {Calls:N0} calls per path, the two paths alternating call by call (so a stall of this shared machine falls on either alike); p50/p99 per round, medians of the rounds. Goal: MCP within 1 ms of `/api/requests`.").AppendLine();

        var folder = Path.Combine(Path.GetTempPath(), "agentplugins-bench", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(folder, "roles"));
        File.WriteAllText(Path.Combine(folder, "roles", "echo.cs"), HttpBenchmark.EchoRole);
        try
        {
            await using var app = await HttpBenchmark.StartAsync(folder);
            await using var mcp = await McpClient.CreateAsync(
                new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(app.Address, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }),
                cancellationToken: cancellationToken);
            var body = Encoding.UTF8.GetBytes("""{"text":"/echo say hi","user":"bench"}""");
            var arguments = new Dictionary<string, object?> { ["text"] = "hi" };

            async Task McpCallAsync()
            {
                var result = await mcp.CallToolAsync("echo-say", arguments, cancellationToken: cancellationToken);
                if (result.IsError == true || result.Content.OfType<TextContentBlock>().Single().Text != "hi")
                {
                    throw new InvalidOperationException("echo-say did not answer 'hi' over MCP.");
                }
            }

            async Task ApiCallAsync()
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                using var response = await app.Client.PostAsync("/api/requests", content, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (!response.IsSuccessStatusCode || !text.Contains("\"reply\":\"hi\"", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"/api/requests answered {(int)response.StatusCode}: {text}");
                }
            }

            await TimeAsync(McpCallAsync, ApiCallAsync, WarmupCalls);
            var rows = new List<(double McpP50, double McpP99, double ApiP50, double ApiP99)>();
            report.AppendLine("| round | MCP p50 | MCP p99 | /api/requests p50 | /api/requests p99 | MCP − API p50 | MCP − API p99 |");
            report.AppendLine("|---|---|---|---|---|---|---|");
            for (var round = 0; round < Rounds; round++)
            {
                var ((mcpP50, mcpP99), (apiP50, apiP99)) = await TimeAsync(McpCallAsync, ApiCallAsync, Calls);
                rows.Add((mcpP50, mcpP99, apiP50, apiP99));
                report.AppendLine(CultureInfo.InvariantCulture, $"| {round + 1} | {mcpP50:F3} ms | {mcpP99:F3} ms | {apiP50:F3} ms | {apiP99:F3} ms | {mcpP50 - apiP50:+0.000;-0.000} ms | {mcpP99 - apiP99:+0.000;-0.000} ms |");
            }

            // The rounds are paired (same calls, same moments): the median of the per-round differences.
            var p50 = Median(rows.Select(r => r.McpP50 - r.ApiP50));
            var p99 = Median(rows.Select(r => r.McpP99 - r.ApiP99));
            report.AppendLine(CultureInfo.InvariantCulture, $"| **median** | **{Median(rows.Select(r => r.McpP50)):F3} ms** | **{Median(rows.Select(r => r.McpP99)):F3} ms** | **{Median(rows.Select(r => r.ApiP50)):F3} ms** | **{Median(rows.Select(r => r.ApiP99)):F3} ms** | **{p50:+0.000;-0.000} ms** | **{p99:+0.000;-0.000} ms** |");
            report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"The last two columns of the median row are the medians of the per-round differences. Goal (MCP within 1 ms of /api/requests): p50 {(p50 <= 1 ? "met" : "missed")} ({p50:+0.000;-0.000} ms), p99 {(p99 <= 1 ? "met" : "missed")} ({p99:+0.000;-0.000} ms).");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Load average (1 min) at the start: {loadBefore}; at the end: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}.");
        return report.ToString();
    }

    // Call by call, MCP then the API: a stall of this loaded machine falls on either path alike.
    private static async Task<((double P50, double P99) First, (double P50, double P99) Second)> TimeAsync(Func<Task> first, Func<Task> second, int count)
    {
        var a = new double[count];
        var b = new double[count];
        for (var i = 0; i < count; i++)
        {
            var at = Stopwatch.GetTimestamp();
            await first();
            a[i] = Stopwatch.GetElapsedTime(at).TotalMilliseconds;
            at = Stopwatch.GetTimestamp();
            await second();
            b[i] = Stopwatch.GetElapsedTime(at).TotalMilliseconds;
        }

        return (Percentiles(a), Percentiles(b));
    }

    private static (double P50, double P99) Percentiles(double[] latencies)
    {
        Array.Sort(latencies);
        return (latencies[(int)Math.Ceiling(0.50 * latencies.Length) - 1], latencies[(int)Math.Ceiling(0.99 * latencies.Length) - 1]);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
