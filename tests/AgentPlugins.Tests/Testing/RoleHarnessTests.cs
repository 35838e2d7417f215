using System.Net;
using System.Net.Sockets;
using AgentPlugins.Sdk;
using AgentPlugins.Testing;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Testing;

// The kit's promises beyond the sample roles (examples/role-tests): a role that would not load fails
// with the host's diagnostics, failures inside role code reach the test as the host reports them,
// and the fakes behave.
public sealed class RoleHarnessTests
{
    private const string Probe = """
        using System.ComponentModel;
        using System.Net.Http;
        using AgentPlugins.Sdk;
        using Microsoft.Extensions.Logging;
        using Microsoft.SemanticKernel;

        public sealed record PingIntent(string Target) : Intent
        {
            public override bool Validate() => !string.IsNullOrWhiteSpace(Target);
        }

        public sealed class ProbeRole : IRole
        {
            public RoleConfig Config { get; } = new("probe", "1.0.0", "Probes things", "Probe a URL");

            public void Register(RoleBuilder role)
            {
                role.On("BOOM", OnBoom);
                role.Tools(this);
                role.Handle<PingIntent>(ProcessPing);
                role.PreProcess(FetchAsync);
            }

            private static IEnumerable<Intent> OnBoom(BusEvent e, EventContext context) =>
                e.Get("fail") is "yes" ? throw new InvalidOperationException("boom") : [new AuditIntent("boom", "ok")];

            [KernelFunction("fetch"), Description("Fetches a URL")]
            public async Task<ToolResult> Fetch([Description("The URL")] string url, ToolContext context) =>
                ToolResult.Ok(await context.Http.GetStringAsync(new Uri(url)));

            private static async Task ProcessPing(PingIntent intent, IntentContext context)
            {
                context.Log.LogInformation("pinging {Target}", intent.Target);
                context.Publish(new BusEvent("PINGED"));
                await context.NotifyAsync($"pinged {intent.Target} for {context.Settings["owner"]}");
            }

            private static async Task<string> FetchAsync(PromptContext context) =>
                await context.Http.GetStringAsync(new Uri("http://weather.test/" + context.Request));
        }
        """;

    [Fact]
    public async Task A_file_that_does_not_parse_fails_with_its_syntax_error_at_file_line_and_column()
    {
        using var folder = new TempFolder();
        var path = folder.Write("broken.cs", "using AgentPlugins.Sdk;\npublic sealed class Broken : IRole {\n  public RoleConfig Config { get; } = new(\n");

        var failure = await Assert.ThrowsAsync<RoleLoadException>(() => RoleHarness.LoadAsync(path));

        Assert.Equal(path, failure.Path);
        Assert.All(failure.Problems, p => Assert.StartsWith("CS", p.Code, StringComparison.Ordinal));
        Assert.Contains($"{path}(3,", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AP0003", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rule_the_host_enforces_fails_the_load_with_its_code()
    {
        var failure = await Assert.ThrowsAsync<RoleLoadException>(() => RoleHarness.LoadAsync(Repository.Fixture("roles/bad/ap0102_timer.cs")));

        var problem = Assert.Single(failure.Problems, p => p.IsError);
        Assert.Equal("AP0102", problem.Code);
        Assert.True(problem.Line > 1);
        Assert.Contains("ap0102_timer.cs(", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_or_empty_file_is_refused_like_the_host_refuses_it()
    {
        using var folder = new TempFolder();
        var missing = await Assert.ThrowsAsync<RoleLoadException>(() => RoleHarness.LoadAsync(Path.Combine(folder.Path, "nope.cs")));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);

        var empty = await Assert.ThrowsAsync<RoleLoadException>(() => RoleHarness.LoadAsync(folder.Write("empty.cs", string.Empty)));
        Assert.Single(empty.Problems);
    }

    [Fact]
    public async Task Strict_fails_on_a_warning_the_host_would_load_with()
    {
        var path = Repository.Fixture("roles/bad/ap0405_tools_not_registered.cs");
        using var lenient = await RoleHarness.LoadAsync(path);
        Assert.Contains(lenient.Warnings, w => w.Code == "AP0405" && !w.IsError);

        var strict = await Assert.ThrowsAsync<RoleLoadException>(() => RoleHarness.LoadAsync(path, new RoleHarnessOptions { Strict = true }));
        Assert.Contains(strict.Problems, p => p.Code == "AP0405" && p.IsError);
    }

    [Fact]
    public void An_event_handler_that_throws_gives_an_error_intent_as_on_the_bus()
    {
        using var probe = RoleHarness.FromSource(Probe);

        var error = probe.Raise("BOOM", new Dictionary<string, string> { ["fail"] = "yes" }).SingleOf<ErrorIntent>();

        Assert.Equal("probe/OnBoom", error.Source);
        Assert.Equal("InvalidOperationException on BOOM: boom", error.Message);
        Assert.Empty(probe.Raise("OTHER"));
    }

    [Fact]
    public async Task A_tool_whose_http_call_times_out_reports_the_timeout_not_a_cancellation()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/slow";
        using var network = new SocketsHttpHandler();
        var settings = new Dictionary<string, string> { ["http:timeout"] = "00:00:00.300", ["http:retries"] = "0" };
        using var probe = RoleHarness.FromSource(Probe, options: new RoleHarnessOptions { Http = network, Settings = settings });

        var result = await probe.CallToolAsync("fetch", new { url });

        Assert.False(result.Success);
        Assert.Equal($"Tool probe/fetch failed: HttpRequestException: Role 'probe': GET {url} timed out after 0.3 s.", result.Message);
        Assert.DoesNotContain("KernelFunctionCanceledException", result.Message, StringComparison.Ordinal);
        Assert.Contains("TimeoutRejectedException", result.Intents.SingleOf<ErrorIntent>().Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_whose_server_refuses_reports_the_connection_error()
    {
        int port;
        using (var closed = new TcpListener(IPAddress.Loopback, 0))
        {
            closed.Start();
            port = ((IPEndPoint)closed.LocalEndpoint).Port;
        }

        using var network = new SocketsHttpHandler();
        using var probe = RoleHarness.FromSource(Probe, options: new RoleHarnessOptions { Http = network });
        var result = await probe.CommandAsync($"fetch http://127.0.0.1:{port}/");

        Assert.False(result.Success);
        Assert.StartsWith("Tool probe/fetch failed: HttpRequestException: ", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_intent_handler_runs_against_the_recorders_with_the_test_settings()
    {
        using var probe = RoleHarness.FromSource(Probe, options: new RoleHarnessOptions { User = "ana", Channel = "http", Settings = new Dictionary<string, string> { ["owner"] = "ops" } });

        await probe.HandleAsync(probe.NewIntent("PingIntent", "db"));

        var sent = Assert.Single(probe.Notifications);
        Assert.Equal(new SentNotification("pinged db for ops", Priority.Medium, "http", "ana"), sent);
        Assert.Equal("PINGED", Assert.Single(probe.Published).Type);
        Assert.Contains(probe.Log, l => l.Message == "pinging db");
        await Assert.ThrowsAsync<InvalidOperationException>(() => probe.HandleAsync(new NotificationIntent("hi")));
        Assert.Throws<ArgumentException>(() => probe.NewIntent("PongIntent"));
    }

    [Fact]
    public async Task A_pre_processor_fetches_through_the_handler_the_test_scripts_and_has_no_network_without_one()
    {
        using var scripted = RoleHarness.FromSource(Probe, options: new RoleHarnessOptions { Http = new Answering("sunny, 21 C") });
        Assert.Equal("sunny, 21 C", await scripted.PreProcessAsync("lisbon"));

        using var offline = RoleHarness.FromSource(Probe);
        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => offline.PreProcessAsync("lisbon"));
        Assert.Contains("RoleHarnessOptions.Http", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_compiled_elsewhere_is_started_and_inspected_like_a_file()
    {
        using var compiled = RoleHarness.FromRole(new CompiledGreeter());

        Assert.Equal(["greet"], compiled.Registration.Tools.Select(t => t.Name));
        Assert.Equal("Hello, Ana.", (await compiled.CallToolAsync("greet", new Dictionary<string, object?> { ["name"] = "Ana" })).Message);
    }

    [Fact]
    public void A_role_compiled_elsewhere_with_a_bad_config_is_refused_with_the_load_code()
    {
        var failure = Assert.Throws<RoleLoadException>(() => RoleHarness.FromRole(new CompiledGreeter("Not A Name")));
        Assert.Equal("AP1005", Assert.Single(failure.Problems).Code);
    }

    private sealed class Answering(string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) });
    }
}
