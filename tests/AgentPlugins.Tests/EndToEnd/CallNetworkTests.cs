using System.Text.Json;
using AgentPlugins.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace AgentPlugins.Tests.EndToEnd;

// `host call` and `host repl` through the real bin/host process give a role the network its
// plugins.json gives it in `run`: the role's HTTP client (base address, timeout, retries, allow-list)
// and its settings' secrets, against a real HTTP server on 127.0.0.1. A failure exits 1 naming the cause.
public sealed class CallNetworkTests : IDisposable
{
    private const string Paris = """
        {"current_condition": [{"temp_C": "12", "FeelsLikeC": "10", "humidity": "81", "windspeedKmph": "15", "winddir16Point": "SW",
          "weatherDesc": [{"value": "Light rain"}]}]}
        """;

    private const string Fetcher = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class FetcherRole : IRole
        {
            public RoleConfig Config { get; } = new("fetcher", "1.0.0", "Fetches a URL", "Fetch a URL");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("fetch"), Description("Fetches a URL")]
            public async Task<ToolResult> Fetch([Description("The URL")] string url, ToolContext context) =>
                ToolResult.Ok(await context.Http.GetStringAsync(new Uri(url), context.Cancellation));
        }
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Call_fetches_through_the_role_client_plugins_json_configures_and_prints_the_data()
    {
        await using var api = await LoopbackReceiver.StartAsync(r => Task.FromResult(r.Path == "/Paris" ? Results.Text(Paris, "application/json") : Results.NotFound()));
        var config = Config(Weather(api.Address, "00:00:05", retries: 0));

        var (exit, stdout, stderr) = await CallAsync(null, "weather", "get_weather", "Paris", "--config", config);

        Assert.True(exit == 0, string.Join('\n', stderr));
        Assert.Equal(["Paris: 12 °C (feels like 10 °C), light rain, wind 15 km/h from SW, humidity 81%."], stdout);
        Assert.Equal("?format=j1", Assert.Single(api.Received).Query);
    }

    [Fact]
    public async Task A_server_error_exits_1_naming_the_status()
    {
        await using var api = await LoopbackReceiver.StartAsync(_ => Task.FromResult(Results.StatusCode(500)));

        var (exit, stdout, _) = await CallAsync(null, "weather", "get_weather", "Paris", "--config", Config(Weather(api.Address, "00:00:05", retries: 1)));

        Assert.Equal(1, exit);
        Assert.Equal(["failed: The weather service at 127.0.0.1 answered HTTP 500 (Internal Server Error) for 'Paris'."], stdout);
        Assert.Equal(2, api.Received.Count);    // http:retries = 1
    }

    [Fact]
    public async Task A_timeout_exits_1_naming_the_call_and_the_configured_timeout()
    {
        await using var api = await LoopbackReceiver.StartAsync(async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            return Results.Ok();
        });

        var (exit, stdout, _) = await CallAsync(null, "weather", "get_weather", "Paris", "--config", Config(Weather(api.Address, "00:00:00.500", retries: 0)));

        Assert.Equal(1, exit);
        Assert.Equal($"failed: Tool weather/get_weather failed: HttpRequestException: Role 'weather': GET {api.Address}Paris timed out after 0.5 s.", stdout[0]);
        Assert.StartsWith("  intent: ErrorIntent(Source=weather/get_weather", Assert.Single(stdout.Skip(1)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_off_the_allow_list_exits_1_and_nothing_is_sent()
    {
        await using var api = await LoopbackReceiver.StartAsync();
        _folder.Write("roles/fetcher.cs", Fetcher);
        var config = Config("""{ "fetcher": { "http": { "allowedHosts": [ "127.0.0.1" ] } } }""");

        var (exit, stdout, _) = await CallAsync(null, "fetcher", "fetch", $"http://localhost:{api.Port}/x", "--config", config);

        Assert.Equal(1, exit);
        Assert.Contains($"Role 'fetcher' may not call host 'localhost' (GET http://localhost:{api.Port}/x): it is not in roles:settings:fetcher:http:allowedHosts (127.0.0.1).", stdout[0], StringComparison.Ordinal);
        Assert.Empty(api.Received);
    }

    [Fact]
    public async Task A_secret_comes_from_the_variable_its_setting_names_and_a_missing_one_exits_2_naming_role_and_key()
    {
        await using var homeAssistant = await LoopbackReceiver.StartAsync(r => Task.FromResult(r.Path == "/api/states"
            ? Results.Text("""[{"entity_id": "light.kitchen", "state": "on"}]""", "application/json")
            : Results.NotFound()));
        var config = Config($$"""{ "smarthome": { "tokenVariable": "KIT_TEST_HA_TOKEN", "http": { "baseAddress": "{{homeAssistant.Address}}", "allowedHosts": [ "127.0.0.1" ] } } }""");

        var (exit, stdout, stderr) = await CallAsync(new Dictionary<string, string> { ["KIT_TEST_HA_TOKEN"] = "ha-secret" }, "smarthome", "list_devices", "--config", config);
        Assert.True(exit == 0, string.Join('\n', stderr));
        Assert.Equal(["light.kitchen: on"], stdout);
        Assert.Equal("Bearer ha-secret", Assert.Single(homeAssistant.Received).Headers["Authorization"]);

        (exit, stdout, stderr) = await CallAsync(null, "smarthome", "list_devices", "--config", config);
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains(stderr, l => l.Contains("error AP1014: Role 'smarthome': setting 'tokenVariable' names the environment variable 'KIT_TEST_HA_TOKEN', which is not set (roles:settings:smarthome:tokenVariable).", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_network_keeps_the_role_off_the_network_and_says_so()
    {
        await using var api = await LoopbackReceiver.StartAsync();

        var (exit, stdout, _) = await CallAsync(null, "weather", "get_weather", "Paris", "--no-network", "--config", Config(Weather(api.Address, "00:00:05", retries: 0)));

        Assert.Equal(1, exit);
        Assert.StartsWith("failed: Tool weather/get_weather failed: HttpRequestException: ", stdout[0], StringComparison.Ordinal);
        Assert.Contains($"GET {api.Address}Paris?format=j1 was not sent: host call --no-network gives the role no network", stdout[0], StringComparison.Ordinal);
        Assert.Empty(api.Received);
    }

    [Fact]
    public async Task The_repl_gives_a_loaded_role_the_same_network_and_settings()
    {
        await using var api = await LoopbackReceiver.StartAsync(r => Task.FromResult(r.Path == "/Lisbon" ? Results.Text(Paris, "application/json") : Results.NotFound()));
        var config = Config(Weather(api.Address, "00:00:05", retries: 0));
        await using var repl = HostProcess.Start(_folder.Path, "repl", "--config", config);

        await repl.SendAsync("Load(\"weather\")");
        await repl.WaitForStdoutAsync(l => l.Contains("Loaded weather", StringComparison.Ordinal), Patience);
        await repl.SendAsync("Call(\"get_weather\", new { city = \"Lisbon\" })");
        await repl.WaitForStdoutAsync(l => l.Contains("Lisbon: 12 °C (feels like 10 °C), light rain", StringComparison.Ordinal), Patience);
        await repl.SendAsync("Role.Settings[\"http:baseAddress\"]");
        await repl.WaitForStdoutAsync(l => l.Contains(api.Address.ToString(), StringComparison.Ordinal), Patience);
        await repl.SendAsync("#exit");

        Assert.Equal(0, await repl.WaitForExitAsync(Patience));
        Assert.Single(api.Received);
    }

    [Fact]
    public async Task The_repl_without_network_refuses_a_roles_calls()
    {
        await using var api = await LoopbackReceiver.StartAsync();
        await using var repl = HostProcess.Start(_folder.Path, "repl", "--no-network", "--config", Config(Weather(api.Address, "00:00:05", retries: 0)));

        await repl.SendAsync("Call(\"get_weather\", new { city = \"Lisbon\" })");
        await repl.WaitForStdoutAsync(l => l.Contains("No role loaded yet", StringComparison.Ordinal), Patience);
        await repl.SendAsync("Load(\"weather\"); Call(\"get_weather\", new { city = \"Lisbon\" })");
        await repl.WaitForStdoutAsync(l => l.Contains("was not sent: host repl --no-network gives the role no network", StringComparison.Ordinal), Patience);
        repl.CloseInput();

        Assert.Equal(0, await repl.WaitForExitAsync(Patience));
        Assert.Empty(api.Received);
    }

    private static string Weather(Uri address, string timeout, int retries) =>
        $$"""{ "weather": { "http": { "baseAddress": "{{address}}", "timeout": "{{timeout}}", "retries": {{retries}}, "allowedHosts": [ "127.0.0.1" ] } } }""";

    // A plugins.json in the test's folder: the repository's sample roles (or the folder's own), the given roles:settings.
    private string Config(string settings)
    {
        var roles = Directory.Exists(Path.Combine(_folder.Path, "roles")) ? Path.Combine(_folder.Path, "roles") : Path.Combine(Repository.Root, "roles");
        return _folder.Write("plugins.json", $$"""{ "roles": { "folder": {{JsonSerializer.Serialize(roles)}}, "settings": {{settings}} } }""");
    }

    private async Task<(int Exit, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr)> CallAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        await using var host = HostProcess.Start(_folder.Path, environment, ["call", .. arguments]);
        var exit = await host.WaitForExitAsync(Patience);
        return (exit, host.Stdout, host.Stderr);
    }
}
