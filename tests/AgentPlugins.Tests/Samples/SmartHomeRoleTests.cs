using System.Text.Json;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace AgentPlugins.Tests.Samples;

/// <summary>roles/smarthome.cs against a fake Home Assistant on 127.0.0.1 (states and services, bearer token).</summary>
public sealed class SmartHomeRoleTests : IDisposable
{
    private readonly string _variable = $"AP_TEST_HA_TOKEN_{Guid.NewGuid():N}";
    private readonly string _token = $"ha-{Guid.NewGuid():N}";

    public SmartHomeRoleTests() => Environment.SetEnvironmentVariable(_variable, _token);

    public void Dispose() => Environment.SetEnvironmentVariable(_variable, null);

    [Fact]
    public async Task Lists_the_switchable_devices_with_their_state()
    {
        await using var home = await FakeHomeAssistantAsync();
        await using var test = await StartAsync(home);

        var reply = await test.AskAsync("/smarthome list_devices");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("light.kitchen: off; switch.fan: on", reply.Text);
        Assert.All(home.Received, r => Assert.Equal($"Bearer {_token}", r.Headers["Authorization"]));
    }

    [Fact]
    public async Task Turning_a_light_on_checks_it_in_the_tool_and_posts_the_service_from_the_intent_handler()
    {
        await using var home = await FakeHomeAssistantAsync();
        await using var test = await StartAsync(home);

        var reply = await test.AskAsync("/smarthome turn_on light.kitchen");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("Turning light.kitchen on.", reply.Text);
        Assert.Equal("light.kitchen is on.", (await test.Console.WaitForAsync(m => m.Text.StartsWith("light.kitchen is", StringComparison.Ordinal))).Text);
        var requests = await home.WaitForCountAsync(2);
        Assert.Equal(("GET", "/api/states/light.kitchen"), (requests[0].Method, requests[0].Path));
        Assert.Equal(("POST", "/api/services/light/turn_on"), (requests[1].Method, requests[1].Path));
        Assert.Equal("light.kitchen", JsonDocument.Parse(requests[1].Text).RootElement.GetProperty("entity_id").GetString());
        Assert.Equal($"Bearer {_token}", requests[1].Headers["Authorization"]);
    }

    [Fact]
    public async Task An_unknown_entity_is_refused_clearly_and_nothing_is_switched()
    {
        await using var home = await FakeHomeAssistantAsync();
        await using var test = await StartAsync(home);

        var reply = await test.AskAsync("/smarthome turn_off light.garage");

        Assert.False(reply.Success);
        Assert.Equal("Home Assistant has no entity 'light.garage'; ask for the list of devices.", reply.Text);
        Assert.DoesNotContain(home.Received, r => r.Method == "POST");
    }

    [Fact]
    public async Task An_entity_that_is_not_a_light_switch_or_fan_is_refused_without_a_call()
    {
        await using var home = await FakeHomeAssistantAsync();
        await using var test = await StartAsync(home);

        var reply = await test.AskAsync("/smarthome turn_on lock.front_door");

        Assert.False(reply.Success);
        Assert.StartsWith("'lock.front_door' is not a light, switch or fan", reply.Text, StringComparison.Ordinal);
        Assert.Empty(home.Received);
    }

    [Fact]
    public async Task A_Home_Assistant_error_is_named_with_its_status()
    {
        await using var home = await LoopbackReceiver.StartAsync(_ => Task.FromResult(Results.StatusCode(500)));
        await using var test = await StartAsync(home, ("http:retries", "0"));

        var reply = await test.AskAsync("/smarthome list_devices");

        Assert.False(reply.Success);
        Assert.Equal("Home Assistant at 127.0.0.1 answered HTTP 500 (Internal Server Error).", reply.Text);
    }

    [Fact]
    public async Task A_missing_token_variable_fails_the_load_naming_the_role_and_key()
    {
        await using var home = await FakeHomeAssistantAsync();
        var test = await TestRuntime.Create(Role(), configure: Settings(home, ("tokenVariable", $"AP_TEST_UNSET_{Guid.NewGuid():N}"))).StartAsync();
        await using (test)
        {
            var failure = Assert.Single(test.StartupFailures);
            Assert.Equal(LoadCodes.InvalidSettings, failure.Code);
            Assert.StartsWith("Role 'smarthome': setting 'tokenVariable' names the environment variable 'AP_TEST_UNSET_", failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Without_a_token_configured_the_role_loads_and_says_how_to_set_it_up()
    {
        await using var home = await FakeHomeAssistantAsync();
        await using var test = await TestRuntime.Create(Role(), configure: options => options with
        {
            Roles = options.Roles with { Settings = new(StringComparer.OrdinalIgnoreCase) { ["smarthome"] = new() { ["http:baseAddress"] = home.Address.ToString() } } },
        }).StartAsync();
        Assert.Empty(test.StartupFailures);

        var reply = await test.AskAsync("/smarthome list_devices");

        Assert.False(reply.Success);
        Assert.StartsWith("Home Assistant is not set up: put \"tokenVariable\": \"HA_TOKEN\" under roles:settings:smarthome", reply.Text, StringComparison.Ordinal);
        Assert.Empty(home.Received);
    }

    private static Task<LoopbackReceiver> FakeHomeAssistantAsync() => LoopbackReceiver.StartAsync(request => Task.FromResult(request switch
    {
        { Method: "GET", Path: "/api/states" } => Results.Text("""
            [ { "entity_id": "switch.fan", "state": "on" }, { "entity_id": "light.kitchen", "state": "off" }, { "entity_id": "sensor.temperature", "state": "21" } ]
            """, "application/json"),
        { Method: "GET", Path: "/api/states/light.kitchen" } => Results.Text("""{ "entity_id": "light.kitchen", "state": "off" }""", "application/json"),
        { Method: "POST", Path: "/api/services/light/turn_on" } => Results.Text("[]", "application/json"),
        _ => Results.NotFound(),
    }));

    private static Dictionary<string, string> Role() => new() { ["smarthome.cs"] = File.ReadAllText(Repository.SampleRole("smarthome.cs")) };

    private async Task<TestRuntime> StartAsync(LoopbackReceiver home, params (string Key, string Value)[] more)
    {
        var test = await TestRuntime.Create(Role(), configure: Settings(home, [("tokenVariable", _variable), .. more])).StartAsync();
        Assert.Empty(test.StartupFailures);
        return test;
    }

    private static Func<AgentPluginsOptions, AgentPluginsOptions> Settings(LoopbackReceiver home, params (string Key, string Value)[] settings) => options => options with
    {
        Roles = options.Roles with
        {
            Settings = new(StringComparer.OrdinalIgnoreCase)
            {
                ["smarthome"] = settings.Append(("http:baseAddress", home.Address.ToString())).ToDictionary(s => s.Item1, s => s.Item2, StringComparer.OrdinalIgnoreCase),
            },
        },
    };
}
