using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.FrontDoor;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Bench.Http;

/// <summary>
/// The front door under load: direct-command requests over HTTP against a bare minimal-API endpoint
/// in the same process and rounds; SSE fan-out to 1,000 users; the real bin/host idle with and
/// without HTTP (memory, start-up, memory per idle SSE connection).
/// </summary>
internal sealed class HttpBenchmark : IBenchmark
{
    private const int Rounds = 3;
    private const int Users = 1000;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    /// <summary>A role with one tool that says its text back: the request path's cost without the tool's.</summary>
    internal const string EchoRole = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class EchoRole : IRole
        {
            public RoleConfig Config { get; } = new("echo", "1.0.0", "Says back what it is given", WhenToUse: "Benchmarks of the request path");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("say"), Description("Says the text back")]
            public ToolResult Say([Description("The text")] string text) => ToolResult.Ok(text);
        }
        """;

    public string Name => "http";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var loadBefore = LoadAverage();
        var report = new StringBuilder();
        report.AppendLine("# HTTP front door").AppendLine();
        report.AppendLine(Machine.Describe()).AppendLine();
        report.AppendLine("`make bench-http` (bench/AgentPlugins.Bench/Http). Server and load generator share this process and its 2 cores, so absolute numbers are low and each side's cost counts against the other; the ratio to the bare endpoint, measured in the same rounds, is the figure to read.").AppendLine();

        var folder = Path.Combine(Path.GetTempPath(), "agentplugins-bench", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(folder, "roles"));
        File.WriteAllText(Path.Combine(folder, "roles", "echo.cs"), EchoRole);
        try
        {
            // HTTP_ONLY=requests measures the request path alone (a quick A/B while changing it).
            var onlyRequests = Environment.GetEnvironmentVariable("HTTP_ONLY") == "requests";
            await using (var app = await StartAsync(folder))
            {
                await RequestsAsync(app, report, cancellationToken);
                if (!onlyRequests)
                {
                    await FanOutAsync(app, report, cancellationToken);
                }
            }

            if (!onlyRequests)
            {
                await IdleHostAsync(report, cancellationToken);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Load average (1 min) at the start: {loadBefore}; at the end: {LoadAverage()}.");
        return report.ToString();
    }

    private static async Task RequestsAsync(InProcessHost app, StringBuilder report, CancellationToken cancellationToken)
    {
        report.AppendLine("## Direct-command requests").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"`POST /api/requests` with `/echo say hi` (a role tool run on the loop through the workflow engine, reply written to the durable outbox) against `POST /bare` (a minimal-API endpoint that reads the same JSON body and answers the same shape), each client a user of its own, keep-alive connections. {Rounds} rounds of {Window.TotalSeconds:F0} s per case after a {Warmup.TotalSeconds:F0} s warm-up, cases alternating within a round; medians of the rounds. Goal: the API at ≥ 50% of the bare endpoint's throughput.").AppendLine();
        report.AppendLine("| clients | endpoint | requests/s | p50 | p99 | API / bare |");
        report.AppendLine("|---|---|---|---|---|---|");
        foreach (var clients in new[] { 1, 32 })
        {
            await LoadAsync(app, "/bare", clients, Warmup, cancellationToken);
            await LoadAsync(app, "/api/requests", clients, Warmup, cancellationToken);
            var bare = new List<LoadResult>();
            var api = new List<LoadResult>();
            for (var round = 0; round < Rounds; round++)
            {
                bare.Add(await LoadAsync(app, "/bare", clients, Window, cancellationToken));
                api.Add(await LoadAsync(app, "/api/requests", clients, Window, cancellationToken));
            }

            var ratio = Median(api.Zip(bare, (a, b) => a.PerSecond / b.PerSecond));
            report.AppendLine(CultureInfo.InvariantCulture, $"| {clients} | bare | {Median(bare.Select(r => r.PerSecond)):N0} | {Median(bare.Select(r => r.P50)):F2} ms | {Median(bare.Select(r => r.P99)):F2} ms | |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| {clients} | /api/requests | {Median(api.Select(r => r.PerSecond)):N0} | {Median(api.Select(r => r.P50)):F2} ms | {Median(api.Select(r => r.P99)):F2} ms | **{ratio:P0}** |");
        }

        report.AppendLine();
    }

    private static async Task<LoadResult> LoadAsync(InProcessHost app, string path, int clients, TimeSpan window, CancellationToken cancellationToken)
    {
        var latencies = new List<double>[clients];
        var stop = Stopwatch.GetTimestamp() + (long)(window.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var mine = latencies[client] = [];
            var body = Encoding.UTF8.GetBytes($$"""{"text":"/echo say hi","user":"bench{{client}}"}""");
            while (Stopwatch.GetTimestamp() < stop)
            {
                var at = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                using var response = await app.Client.PostAsync(path, content, cancellationToken);
                await response.Content.ReadAsByteArrayAsync(cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}.");
                }

                mine.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
            }
        }));
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static async Task FanOutAsync(InProcessHost app, StringBuilder report, CancellationToken cancellationToken)
    {
        report.AppendLine("## SSE fan-out").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"{Users:N0} users each with an open `GET /api/events` stream (real HTTP connections, one per user). One notification per user goes through the real path: `ChannelRegistry.NotifyAsync` on the loop → the `http` channel → the outbox (SQLite commit) → the user's stream. Latency = the reader parsing the event − the moment the notification was handed to the channel. Burst: all {Users:N0} handed over in one go; paced: one per millisecond. {Rounds} rounds each. Goal: p99 ≤ 50 ms.").AppendLine();
        report.AppendLine("| round | mode | received | p50 | p99 | max |");
        report.AppendLine("|---|---|---|---|---|---|");
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Users + 10 };
        using var client = new HttpClient(handler) { BaseAddress = app.Address, Timeout = Timeout.InfiniteTimeSpan };
        var readers = new List<SseLatencyReader>();
        for (var i = 0; i < Users; i++)
        {
            readers.Add(await SseLatencyReader.OpenAsync(client, $"fan{i}", cancellationToken));
        }

        var p99s = new List<double>();
        foreach (var paced in new[] { false, true })
        {
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var reader in readers)
                {
                    reader.Expect(round * 2 + (paced ? 1 : 0));
                }

                var tag = round * 2 + (paced ? 1 : 0);
                await app.Loop.InvokeAsync(
                    async () =>
                    {
                        var sends = new List<Task>(Users);
                        for (var i = 0; i < Users; i++)
                        {
                            var text = string.Create(CultureInfo.InvariantCulture, $"{tag}:{Stopwatch.GetTimestamp()}");
                            sends.Add(app.Channels.NotifyAsync(new NotificationIntent(text, "http", $"fan{i}")));
                            if (paced)
                            {
                                await Task.Delay(1, cancellationToken).ConfigureAwait(true);
                            }
                        }

                        await Task.WhenAll(sends).ConfigureAwait(true);
                        return true;
                    },
                    cancellationToken);
                var latencies = (await Task.WhenAll(readers.Select(r => r.ReceivedAsync(TimeSpan.FromSeconds(60))))).Order().ToArray();
                p99s.Add(Percentile(latencies, 0.99));
                report.AppendLine(CultureInfo.InvariantCulture, $"| {round + 1} | {(paced ? "paced" : "burst")} | {latencies.Length:N0} | {Percentile(latencies, 0.5):F1} ms | {Percentile(latencies, 0.99):F1} ms | {latencies[^1]:F1} ms |");
            }
        }

        foreach (var reader in readers)
        {
            await reader.DisposeAsync();
        }

        report.AppendLine();
    }

    private static async Task IdleHostAsync(StringBuilder report, CancellationToken cancellationToken)
    {
        report.AppendLine("## Idle host, start-up, memory per idle SSE connection").AppendLine();
        report.AppendLine("The real `bin/host run` with roles/timer.cs and the console off, HTTP on a free loopback port (`http:enabled` true) or off (false: the host as it was before the front door, a plain Generic Host without Kestrel). Start-up: process start → the runtime's `Ready:` log line, and → Kestrel's `Now listening on` line (Kestrel starts after the roles are loaded). RSS read from /proc 3 s after ready. Then, with HTTP on, 1,000 idle `GET /api/events` streams are opened and the host's RSS read again 3 s later. 3 rounds each, alternating; medians.").AppendLine();
        var timerRole = Path.Combine(RepositoryRoot(), "roles", "timer.cs");
        var off = new List<(double Ready, long Rss)>();
        var on = new List<(double Ready, double Listening, long Rss, long RssWithStreams)>();
        for (var round = 0; round < Rounds; round++)
        {
            await using (var host = HostUnderTest.Start(timerRole, http: false))
            {
                var (ready, _) = await host.WaitForAsync("Ready:", TimeSpan.FromSeconds(60));
                await Task.Delay(3000, cancellationToken);
                off.Add((Ms(host.StartedAt, ready), host.ResidentBytes()));
            }

            await using (var host = HostUnderTest.Start(timerRole, http: true))
            {
                var (ready, _) = await host.WaitForAsync("Ready:", TimeSpan.FromSeconds(60));
                var (listening, _) = await host.WaitForAsync("Now listening on", TimeSpan.FromSeconds(60));
                var address = await host.AddressAsync(TimeSpan.FromSeconds(5));
                await Task.Delay(3000, cancellationToken);
                var idle = host.ResidentBytes();
                using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Users + 10 };
                using var client = new HttpClient(handler) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
                var streams = new List<SseLatencyReader>();
                for (var i = 0; i < Users; i++)
                {
                    streams.Add(await SseLatencyReader.OpenAsync(client, $"idle{i}", cancellationToken));
                }

                await Task.Delay(3000, cancellationToken);
                on.Add((Ms(host.StartedAt, ready), Ms(host.StartedAt, listening), idle, host.ResidentBytes()));
                foreach (var stream in streams)
                {
                    await stream.DisposeAsync();
                }
            }
        }

        report.AppendLine("| host | start → Ready (median, rounds) | start → listening | idle RSS | RSS with 1,000 streams | per stream |");
        report.AppendLine("|---|---|---|---|---|---|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| HTTP off | {Median(off.Select(o => o.Ready)):F0} ms ({string.Join(", ", off.Select(o => o.Ready.ToString("F0", CultureInfo.InvariantCulture)))}) | | {Median(off.Select(o => (double)o.Rss)) / 1048576:F1} MB | | |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| HTTP on | {Median(on.Select(o => o.Ready)):F0} ms ({string.Join(", ", on.Select(o => o.Ready.ToString("F0", CultureInfo.InvariantCulture)))}) | {Median(on.Select(o => o.Listening)):F0} ms | {Median(on.Select(o => (double)o.Rss)) / 1048576:F1} MB | {Median(on.Select(o => (double)o.RssWithStreams)) / 1048576:F1} MB | {Median(on.Select(o => (o.RssWithStreams - o.Rss) / (double)Users)) / 1024:F1} KB |");
    }

    /// <summary>The host as <c>host run</c> composes it, in this process, on a free loopback port, with a <c>POST /bare</c> baseline.</summary>
    internal static async Task<InProcessHost> StartAsync(string folder)
    {
        var options = new AgentPluginsOptions
        {
            Roles = new RolesOptions { Folder = Path.Combine(folder, "roles"), Watch = false },
            Storage = new StorageOptions { DataFolder = Path.Combine(folder, "data") },
            Channels = new ChannelsOptions { Console = new ConsoleChannelOptions { Enabled = false } },
            Http = new HttpOptions { Urls = "http://127.0.0.1:0", RateLimit = new RateLimitOptions { PermitsPerSecond = 1_000_000, Burst = 1_000_000 } },
        };
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IChannel>(new SinkChannel());
        builder.Services.AddAgentPlugins(options);
        builder.Services.AddFrontDoor(options);
        var app = builder.Build().MapFrontDoor();

        // The baseline: the same body read and the same answer shape, without the loop, the role or the outbox.
        app.MapPost("/bare", async (HttpContext context) =>
        {
            var body = await context.Request.ReadFromJsonAsync<RequestBody>(context.RequestAborted);
            return TypedResults.Ok(new RequestAnswer("r0", "completed", true, body?.Text));
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new InProcessHost(app, address);
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "AgentPlugins.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Cannot find AgentPlugins.sln.");
    }

    private sealed record LoadResult(double PerSecond, double P50, double P99);

    internal sealed class InProcessHost(WebApplication app, Uri address) : IAsyncDisposable
    {
        public Uri Address { get; } = address;

        public HttpClient Client { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = address };

        public EventLoop Loop => app.Services.GetRequiredService<EventLoop>();

        public ChannelRegistry Channels => app.Services.GetRequiredService<ChannelRegistry>();

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
