using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentPlugins.Host.Http;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace AgentPlugins.Bench.Services;

/// <summary>
/// <c>context.Http</c> vs a bare <see cref="HttpClient"/>: sequential GETs to one Kestrel server on
/// 127.0.0.1 answering a short text at once, so what differs is the client side. Rounds interleave
/// the clients so drift in the machine's load hits them alike.
/// </summary>
internal static class HttpSection
{
    private const int Warmup = 500;
    private const int Rounds = 5;
    private const int PerRound = 2_000;
    private const int ToolCalls = 1_000;

    private const string Role = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class FetchRole : IRole
        {
            public RoleConfig Config { get; } = new("fetch", "1.0.0", "Fetches for the bench", WhenToUse: "bench");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("get"), Description("GET the bench path")]
            public async Task<ToolResult> Get(ToolContext context) =>
                ToolResult.Ok(await context.Http.GetStringAsync("ping", context.Cancellation));

            [KernelFunction("idle"), Description("Answer without HTTP")]
            public ToolResult Idle() => ToolResult.Ok("pong");
        }
        """;

    public static async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        await using var server = await LoopbackReceiver.StartAsync(_ => Task.FromResult(Results.Text("pong")));
        var settings = new Dictionary<string, string> { ["http:baseAddress"] = server.Address.ToString(), ["http:timeout"] = "00:00:10", ["http:retries"] = "2" };
        await using var runtime = await TestRuntime.Create(
            new Dictionary<string, string> { ["fetch.cs"] = Role },
            configure: options => options with { Roles = options.Roles with { Settings = new(StringComparer.OrdinalIgnoreCase) { ["fetch"] = settings } } }).StartAsync();
        if (runtime.StartupFailures.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, runtime.StartupFailures));
        }

        var clients = runtime.Get<RoleHttpClients>();
        var roleSettings = new RoleSettings(settings);
        using var bare = new HttpClient(new SocketsHttpHandler()) { BaseAddress = server.Address };
        using var reused = clients.Create("fetch", roleSettings, readOnly: true);

        var ways = new (string Name, Func<Task> Get)[]
        {
            ("bare `HttpClient` (SocketsHttpHandler), reused", () => bare.GetStringAsync("ping", cancellationToken)),
            ("role client made per call, as `context.Http` is", async () =>
            {
                using var client = clients.Create("fetch", roleSettings, readOnly: true);
                await client.GetStringAsync("ping", cancellationToken).ConfigureAwait(false);
            }),
            ("role client, reused", () => reused.GetStringAsync("ping", cancellationToken)),
        };

        var latencies = ways.Select(_ => new List<double>(Rounds * PerRound)).ToArray();
        foreach (var (_, get) in ways)
        {
            await TimeAsync(get, Warmup, null).ConfigureAwait(false);
        }

        for (var round = 0; round < Rounds; round++)
        {
            for (var way = 0; way < ways.Length; way++)
            {
                await TimeAsync(ways[way].Get, PerRound, latencies[way]).ConfigureAwait(false);
            }
        }

        // The same GET from a tool on the loop (/fetch get) against a tool that does no I/O (/fetch idle).
        var tool = new List<double>(ToolCalls);
        var idle = new List<double>(ToolCalls);
        await TimeAsync(() => AskAsync(runtime, "/fetch get"), Warmup, null).ConfigureAwait(false);
        await TimeAsync(() => AskAsync(runtime, "/fetch idle"), Warmup, null).ConfigureAwait(false);
        for (var round = 0; round < Rounds; round++)
        {
            await TimeAsync(() => AskAsync(runtime, "/fetch get"), ToolCalls / Rounds, tool).ConfigureAwait(false);
            await TimeAsync(() => AskAsync(runtime, "/fetch idle"), ToolCalls / Rounds, idle).ConfigureAwait(false);
        }

        return Report(ways.Select(w => w.Name).ToArray(), latencies, tool, idle, server.Received.Count);
    }

    private static async Task AskAsync(TestRuntime runtime, string text)
    {
        var reply = await runtime.AskAsync(text).ConfigureAwait(false);
        if (!reply.Success)
        {
            throw new InvalidOperationException(reply.Text);
        }
    }

    private static async Task TimeAsync(Func<Task> call, int count, List<double>? into)
    {
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await call().ConfigureAwait(false);
            into?.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }
    }

    private static string Report(string[] names, List<double>[] latencies, List<double> tool, List<double> idle, int requests)
    {
        foreach (var list in latencies.Append(tool).Append(idle))
        {
            list.Sort();
        }

        var baseline = (P50: Percentile(latencies[0], 0.5), P99: Percentile(latencies[0], 0.99));
        var report = new StringBuilder();
        report.AppendLine("## HTTP: `context.Http` vs a bare HttpClient").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"""
            Sequential GETs to one Kestrel server on 127.0.0.1 (in this process) answering "pong" at once.
            The role client is the host's: `IHttpClientFactory` client named after the role, its gate
            (allow-list, read-only check, error naming) and its resilience pipeline (retries, circuit
            breaker, per-attempt timeout). {Rounds} interleaved rounds of {PerRound:N0} GETs per client after
            {Warmup} warm-up each; {requests:N0} requests reached the server in all.
            """).AppendLine();
        report.AppendLine("| client | p50 | p99 | overhead p50 | overhead p99 |");
        report.AppendLine("|---|---|---|---|---|");
        for (var way = 0; way < names.Length; way++)
        {
            var p50 = Percentile(latencies[way], 0.5);
            var p99 = Percentile(latencies[way], 0.99);
            var overhead = way == 0 ? "baseline" : $"{p50 - baseline.P50:+0;-0} µs";
            var overhead99 = way == 0 ? "baseline" : $"{p99 - baseline.P99:+0;-0} µs";
            report.AppendLine(CultureInfo.InvariantCulture, $"| {names[way]} | {p50:F0} µs | {p99:F0} µs | {overhead} | {overhead99} |");
        }

        var toolP50 = Percentile(tool, 0.5);
        var idleP50 = Percentile(idle, 0.5);
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"""
            A whole tool call that GETs through `context.Http` (`/fetch get`: the loop, Semantic Kernel's
            binding, the ToolContext, the GET) against one that does no I/O (`/fetch idle`), {ToolCalls:N0} each:

            | call | p50 | p99 |
            |---|---|---|
            | `/fetch idle` (no HTTP) | {idleP50:F0} µs | {Percentile(idle, 0.99):F0} µs |
            | `/fetch get` (one GET via `context.Http`) | {toolP50:F0} µs | {Percentile(tool, 0.99):F0} µs |

            What the role client adds is its gate and the resilience strategies (a per-attempt timeout with its
            cancellation source, the retry and circuit-breaker bookkeeping) and, per call, the factory's
            client wrapper; against an API that answers in milliseconds it does not show.
            """);
        return report.ToString();
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
