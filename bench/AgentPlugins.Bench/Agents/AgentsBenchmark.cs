using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentPlugins.Host.Agents;
using AgentPlugins.Host.Requests;
using AgentPlugins.Tests.Agents;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.Agents;

/// <summary>
/// Host overhead of one request in plain words against a zero-latency scripted model on loopback:
/// the routing call, one tool call (timer set_timer, run on the loop, its intent carried out), and
/// the answer — three chat-completions round trips through the real SK OpenAI connector. Everything
/// measured is the host's (and the HTTP stack's) time, since the model answers at once.
/// </summary>
internal sealed class AgentsBenchmark : IBenchmark
{
    private const int Warmup = 300;
    private const int Sequential = 2_000;
    private const int ConcurrentTotal = 4_000;

    public string Name => "agents";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
        await using var server = new ScriptedModelServer
        {
            Fallback = request =>
                request.Tools.Count == 0 ? ScriptedReply.Route("timer", 0.95, """{"duration": "1h", "label": "bench"}""")
                : request.AfterTool ? ScriptedReply.Text("Your timer is set.")
                : ScriptedReply.Call("timer-set_timer", """{"duration": "1h", "label": "bench"}"""),
        };

        var roles = new Dictionary<string, string>();
        foreach (var role in new[] { "router.cs", "timer.cs" })
        {
            roles[role] = await File.ReadAllTextAsync(Repository.SampleRole(role), cancellationToken);
        }

        var llm = new LlmOptions
        {
            Providers = new() { ["local"] = new LlmProviderOptions { Endpoint = server.Endpoint } },
            Tiers = new LlmTiersOptions { Weak = new LlmTierOptions { Provider = "local", Model = "weak" } },
        };
        var runtime = await TestRuntime.Create(roles, configure: options => options with { Llm = llm }).StartAsync();
        try
        {
            var failures = runtime.StartupFailures;
            if (failures.Count > 0)
            {
                throw new InvalidOperationException(string.Join(Environment.NewLine, failures));
            }

            await RunAsync(runtime, Warmup, concurrency: 1, cancellationToken);
            var latencies = await RunAsync(runtime, Sequential, concurrency: 1, cancellationToken);
            var one = await ThroughputAsync(runtime, ConcurrentTotal / 4, concurrency: 1, cancellationToken);
            var sixteen = await ThroughputAsync(runtime, ConcurrentTotal, concurrency: 16, cancellationToken);
            var http = await LoopbackFloorAsync(server, cancellationToken);
            return Report(latencies, one, sixteen, http, server.Requests.Count, load);
        }
        finally
        {
            await runtime.DisposeAsync();
        }
    }

    private static async Task<double[]> RunAsync(TestRuntime runtime, int count, int concurrency, CancellationToken cancellationToken)
    {
        var latencies = new double[count];
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(
            async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < count)
                {
                    var started = Stopwatch.GetTimestamp();
                    var reply = await AskAsync(runtime, $"user{worker}", cancellationToken);
                    latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (!reply.Success)
                    {
                        throw new InvalidOperationException($"Request failed: {reply.Text}");
                    }
                }
            },
            cancellationToken));
        await Task.WhenAll(workers);
        return latencies;
    }

    private static async Task<double> ThroughputAsync(TestRuntime runtime, int count, int concurrency, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await RunAsync(runtime, count, concurrency, cancellationToken);
        return count / clock.Elapsed.TotalSeconds;
    }

    private static Task<Reply> AskAsync(TestRuntime runtime, string user, CancellationToken cancellationToken) =>
        runtime.Loop.InvokeAsync(
            () => runtime.Workflows.HandleAsync(new Request("remind me in an hour", "console", user), _ => Task.CompletedTask, cancellationToken),
            cancellationToken);

    // Three bare POSTs of a similar size to the same server: the part of the overhead that is loopback HTTP itself.
    private static async Task<double> LoopbackFloorAsync(ScriptedModelServer server, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        var body = """{"model":"weak","messages":[{"role":"system","content":"route"},{"role":"user","content":"remind me in an hour"}]}""";
        var samples = new double[1_000];
        for (var i = -100; i < samples.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            for (var call = 0; call < 3; call++)
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(new Uri(server.Endpoint + "/chat/completions"), content, cancellationToken);
                await response.Content.ReadAsStringAsync(cancellationToken);
            }

            if (i >= 0)
            {
                samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }

        return Percentile(samples, 0.5);
    }

    private static string Report(double[] latencies, double one, double sixteen, double httpFloor, int modelRequests, string load)
    {
        string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
        var p50 = Percentile(latencies, 0.5);
        return $"""
            # Agents: host overhead per request

            {Machine.Describe()}

            One request in plain words ("remind me in an hour") against a zero-latency scripted
            OpenAI-compatible server on 127.0.0.1 (HttpListener): routing call (weak tier, JSON
            decision) -> timer role call with `set_timer` tool call, run on the loop, its CreateTimerIntent
            carried out -> final answer. Three chat-completions round trips through the real Semantic
            Kernel OpenAI connector, the resilience handler and the durable conversation store.
            {Sequential} measured requests after {Warmup} warm-up; {modelRequests} model requests in all.
            The scripted server runs in the same process and shares its cores. Load average when the
            run started: {load} (the tail percentiles move with whatever else the machine runs).

            | measure | value |
            |---|---|
            | p50 per request, 1 at a time | {Ms(p50)} ms |
            | p90 per request, 1 at a time | {Ms(Percentile(latencies, 0.9))} ms |
            | p99 per request, 1 at a time | {Ms(Percentile(latencies, 0.99))} ms |
            | requests/s, 1 concurrent | {one:0} |
            | requests/s, 16 concurrent | {sixteen:0} |
            | of which: 3 bare loopback POSTs to the same server, p50 | {Ms(httpFloor)} ms |

            Goal: p50 <= 5 ms overhead: {(p50 <= 5 ? "met" : "not met")}.

            Run with `make bench-agents`.
            """;
    }

    private static double Percentile(double[] samples, double percentile)
    {
        var sorted = samples.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile * sorted.Length) - 1)];
    }
}
