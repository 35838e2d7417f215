using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AgentPlugins.Host;
using AgentPlugins.Host.Agents;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Sdk;

namespace AgentPlugins.Tests.Agents;

public sealed class ModelFailureTests
{
    [Fact]
    public async Task A_429_is_retried_with_backoff_and_then_succeeds()
    {
        await using var agents = await AgentHarness.StartAsync();
        agents.Server.Enqueue(
            ScriptedReply.Status(429, "slow down"),
            ScriptedReply.Route("timer", 0.9),
            ScriptedReply.Status(503, "busy"),
            ScriptedReply.Text("No timers running."));

        var reply = await agents.AskAsync("list my timers");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("No timers running.", reply.Text);
        Assert.Equal(4, agents.Server.Requests.Count);
    }

    [Fact]
    public async Task Transient_errors_past_the_retries_are_reported()
    {
        await using var agents = await AgentHarness.StartAsync();
        agents.Server.Fallback = _ => ScriptedReply.Status(500, "the model crashed");

        var reply = await agents.AskAsync("list my timers");

        Assert.False(reply.Success);
        Assert.Contains("failed with HTTP 500 after 3 attempts", reply.Text, StringComparison.Ordinal);
        Assert.Contains("the model crashed", reply.Text, StringComparison.Ordinal);
        Assert.Equal(3, agents.Server.Requests.Count);
    }

    [Fact]
    public async Task A_model_that_does_not_answer_in_time_is_retried_then_reported_without_hanging()
    {
        // The probe's tier (default) runs on a provider with a short timeout; routing keeps the usual one.
        await using var agents = await AgentHarness.StartAsync(
            new Dictionary<string, string> { ["probe.cs"] = TestRoles.Probe },
            configure: llm => llm with
            {
                Providers = new(llm.Providers) { ["slow"] = llm.Providers["local"] with { Timeout = TimeSpan.FromMilliseconds(300), Retries = 1 } },
                Tiers = llm.Tiers with { Default = new LlmTierOptions { Provider = "slow", Model = AgentHarness.DefaultModel } },
            });
        agents.Server.Enqueue(ScriptedReply.Route("probe", 0.9));
        agents.Server.Fallback = _ => ScriptedReply.Text("too late") with { Delay = TimeSpan.FromSeconds(30) };

        var clock = Stopwatch.StartNew();
        var reply = await agents.AskAsync("where am I?");

        Assert.False(reply.Success);
        Assert.Contains("did not answer within 0.3 s after 2 attempts (llm:providers:slow:timeout)", reply.Text, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(10));
        Assert.Equal(3, agents.Server.Requests.Count);

        // The loop is free: a direct command still answers at once.
        Assert.True((await agents.AskAsync("/timer list_timers")).Success);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_reported_naming_its_key()
    {
        // A socket bound but not listening holds its port, and connecting to it is refused.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var endpoint = $"http://127.0.0.1:{((IPEndPoint)closed.LocalEndPoint!).Port}/v1";
        await using var agents = await AgentHarness.StartAsync(configure: _ => AgentHarness.Options(endpoint) with
        {
            Providers = new() { ["local"] = new LlmProviderOptions { Endpoint = endpoint, Retries = 1, RetryDelay = TimeSpan.FromMilliseconds(10) } },
        });

        var reply = await agents.AskAsync("list my timers");

        Assert.False(reply.Success);
        Assert.Contains("Cannot reach the model 'weak-model' (llm:tiers:weak)", reply.Text, StringComparison.Ordinal);
        Assert.Contains("after 2 attempts", reply.Text, StringComparison.Ordinal);
        Assert.Contains("(check llm:providers:local:endpoint)", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tier_nobody_configured_is_named_in_the_reply()
    {
        await using var agents = await AgentHarness.StartAsync(
            new Dictionary<string, string> { ["scholar.cs"] = TestRoles.Scholar },
            configure: llm => llm with { Tiers = llm.Tiers with { Strong = null } });
        agents.Server.Enqueue(ScriptedReply.Route("scholar", 0.9));

        var reply = await agents.AskAsync("explain monads");

        Assert.False(reply.Success);
        Assert.Equal("Role 'scholar' runs on the strong tier, but plugins.json has no 'llm:tiers:strong' (give it a provider and a model).", reply.Text);
        Assert.Single(agents.Server.Requests);

        // Known before any request: start-up logs the same for every serving role that needs the tier.
        var missing = await agents.Runtime.Loop.InvokeAsync(() => Task.FromResult(agents.Runtime.Agents!.MissingTiers()));
        Assert.Equal(
            ["Role 'planner' runs on the strong tier, but plugins.json has no 'llm:tiers:strong' (give it a provider and a model).", reply.Text],
            missing.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_start_up_probe_names_an_unreachable_endpoint_and_a_model_the_server_does_not_offer()
    {
        await using var server = new ScriptedModelServer { Models = ["weak-model", "strong-model"] };
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closedEndpoint = $"http://127.0.0.1:{((IPEndPoint)closed.LocalEndPoint!).Port}/v1";
        var options = AgentHarness.Options(server.Endpoint);
        options = options with
        {
            Providers = new(options.Providers) { ["gone"] = new LlmProviderOptions { Endpoint = closedEndpoint } },
            Tiers = options.Tiers with { Strong = new LlmTierOptions { Provider = "gone", Model = "big" } },
        };

        var problems = await ModelProbe.CheckAsync(ModelTiers.Resolve(options, _ => null), TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("'llm:tiers:default:model' is 'default-model', which the server at llm:providers:local:endpoint does not offer (it offers: strong-model, weak-model).", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"Cannot reach the model server at llm:providers:gone:endpoint ({closedEndpoint}", StringComparison.Ordinal));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void A_missing_api_key_variable_stops_start_up_naming_the_key()
    {
        var variable = "AGENTPLUGINS_TEST_KEY_" + Guid.NewGuid().ToString("N")[..8];
        var options = AgentHarness.Options("http://127.0.0.1:9/v1");
        options = options with { Providers = new() { ["local"] = options.Providers["local"] with { ApiKeyVariable = variable } } };

        var error = Assert.Throws<ConfigurationException>(() => ModelTiers.Resolve(options, Environment.GetEnvironmentVariable));

        Assert.Contains($"'llm:providers:local:apiKeyVariable' names the environment variable '{variable}', which is not set", error.Message, StringComparison.Ordinal);
        Assert.Equal("sk-test", ModelTiers.Resolve(options, name => name == variable ? "sk-test" : null).All.First().ApiKey);
    }

    [Fact]
    public void Plugins_json_llm_errors_are_found_at_start_up_naming_their_keys()
    {
        using var folder = new Support.TempFolder();
        var path = folder.Write("plugins.json", """
            {
              "llm": {
                "providers": { "local": { "endpoint": "localhost:11434", "models": ["small"] } },
                "tiers": {
                  "weak": { "provider": "local", "model": "big" },
                  "strong": { "provider": "cloud", "model": "x" }
                },
                "routing": { "threshold": 1.5 }
              }
            }
            """);

        var error = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(path));

        Assert.Contains("'llm:routing:threshold' must be a number from 0 to 1.", error.Message, StringComparison.Ordinal);
        Assert.Contains("'llm:providers:local:endpoint' 'localhost:11434' must be an http(s) address", error.Message, StringComparison.Ordinal);
        Assert.Contains("'llm:tiers:weak:model' is 'big', which llm:providers:local:models does not list (listed: small).", error.Message, StringComparison.Ordinal);
        Assert.Contains("'llm:tiers:strong:provider' names 'cloud', which is not under llm:providers (known: local).", error.Message, StringComparison.Ordinal);

        folder.Write("plugins.json", """{ "llm": { "tiers": { "weak": { "provider": "local", "modle": "x" } } } }""");
        var unknown = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(path));
        Assert.Contains("modle", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_llm_section_free_text_gets_the_no_model_message_and_direct_commands_work()
    {
        await using var test = await Support.TestRuntime.Create(new Dictionary<string, string>
        {
            ["timer.cs"] = await File.ReadAllTextAsync(Support.Repository.SampleRole("timer.cs")),
        }).StartAsync();

        Assert.Null(test.Agents);
        Assert.Equal(Host.Workflows.WorkflowEngine.NoModelMessage, (await test.AskAsync("set a timer for tea")).Text);
        Assert.True((await test.AskAsync("/timer set_timer 5m tea")).Success);
    }

    [Fact]
    public async Task Direct_commands_work_with_a_model_configured_and_never_call_it()
    {
        await using var agents = await AgentHarness.StartAsync();

        var reply = await agents.AskAsync("/timer set_timer 5m tea");

        Assert.True(reply.Success, reply.Text);
        await agents.Test.Console.WaitForAsync(m => m.Text.StartsWith("Timer 'tea' set", StringComparison.Ordinal));
        Assert.Empty(agents.Server.Requests);
        Assert.Equal(Priority.Medium, agents.Test.Console.Messages[0].Priority);
    }
}
