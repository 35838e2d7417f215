using System.Net;
using AgentPlugins.Testing;

namespace RoleTests;

// The smarthome role against a scripted Home Assistant: tools read GET /api/states (with the bearer
// token its settings name), switching is an intent whose handler POSTs /api/services/DOMAIN/SERVICE.
// The token comes from a variable, as plugins.json's "tokenVariable": "HA_TOKEN" gives it.
public sealed class SmartHomeRoleTests : IDisposable
{
    private const string States = """
        [{"entity_id": "light.kitchen", "state": "off"}, {"entity_id": "switch.kettle", "state": "on"}, {"entity_id": "sensor.outside", "state": "12"}]
        """;

    private readonly ScriptedHttp _homeAssistant = new();

    public SmartHomeRoleTests() => _homeAssistant
        .Answer(HttpMethod.Get, "/api/states", HttpStatusCode.OK, States)
        .Answer(HttpMethod.Get, "/api/states/light.kitchen", HttpStatusCode.OK, """{"entity_id": "light.kitchen", "state": "off"}""")
        .Answer(HttpMethod.Post, "/api/services/light/turn_on", HttpStatusCode.OK, "[]");

    public void Dispose() => _homeAssistant.Dispose();

    [Fact]
    public async Task List_devices_shows_lights_and_switches_with_their_state_and_sends_the_token()
    {
        using var home = await Load();

        var result = await home.CallToolAsync("list_devices");

        Assert.Equal((true, "light.kitchen: off; switch.kettle: on"), (result.Success, result.Message));
        Assert.Equal("Bearer ha-secret", Assert.Single(_homeAssistant.Requests).Authorization);
        Assert.Equal("token=***", home.Settings.ToString().Split(", ").Single(s => s.StartsWith("token", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Turning_a_light_on_checks_it_exists_then_its_handler_calls_the_service()
    {
        using var home = await Load();

        var result = await home.CallToolAsync("turn_on", new { entityId = "Light.Kitchen" });
        Assert.Equal((true, "Turning light.kitchen on."), (result.Success, result.Message));
        var intent = result.Intents.SingleNamed("SwitchIntent");
        Assert.Equal(("light.kitchen", "turn_on"), (intent.Get<string>("EntityId"), intent.Get<string>("Service")));
        Assert.DoesNotContain(_homeAssistant.Requests, r => r.Method == HttpMethod.Post);    // a tool only reads

        await home.HandleAllAsync(result.Intents);

        var post = _homeAssistant.Requests.Single(r => r.Method == HttpMethod.Post);
        Assert.Equal(("/api/services/light/turn_on", """{"entity_id":"light.kitchen"}""", "Bearer ha-secret"), (post.Uri.AbsolutePath, post.Body, post.Authorization));
        Assert.Equal("light.kitchen is on.", Assert.Single(home.Notifications).Message);
    }

    [Theory]
    [InlineData("light.garage", "Home Assistant has no entity 'light.garage'; ask for the list of devices.")]
    [InlineData("sensor.outside", "'sensor.outside' is not a light, switch or fan; an entity id looks like light.kitchen (light, switch, fan, input_boolean).")]
    public async Task An_unknown_entity_is_refused_clearly_and_nothing_is_switched(string entity, string message)
    {
        using var home = await Load();

        var result = await home.CallToolAsync("turn_off", new { entityId = entity });

        Assert.Equal((false, message), (result.Success, result.Message));
        Assert.Empty(result.Intents);
        Assert.DoesNotContain(_homeAssistant.Requests, r => r.Method == HttpMethod.Post);
    }

    [Fact]
    public async Task A_failed_switch_tells_the_user_why()
    {
        _homeAssistant.Answer(HttpMethod.Post, "/api/services/light/turn_on", HttpStatusCode.Unauthorized);
        using var home = await Load();

        await home.HandleAllAsync((await home.CallToolAsync("turn_on", new { entityId = "light.kitchen" })).Intents);

        Assert.Equal("light.kitchen was not switched: Home Assistant refused the token (HTTP 401): check the variable roles:settings:smarthome:tokenVariable names.", Assert.Single(home.Notifications).Message);
    }

    [Fact]
    public async Task A_missing_token_variable_fails_the_load_naming_the_role_and_key()
    {
        var load = RoleHarness.LoadAsync(RoleFiles.Path("smarthome.cs"), Options(new Dictionary<string, string>()));

        var error = await Assert.ThrowsAsync<RoleLoadException>(() => load);
        Assert.Contains("Role 'smarthome': setting 'tokenVariable' names the environment variable 'HA_TOKEN', which is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_token_the_tools_say_how_to_set_one_up()
    {
        var options = Options(new Dictionary<string, string>()) with { Settings = new Dictionary<string, string> { ["http:baseAddress"] = "http://ha.test:8123/" } };
        using var home = await RoleHarness.LoadAsync(RoleFiles.Path("smarthome.cs"), options);

        var result = await home.CallToolAsync("list_devices");

        Assert.False(result.Success);
        Assert.StartsWith("Home Assistant is not set up", result.Message, StringComparison.Ordinal);
        Assert.Empty(_homeAssistant.Requests);
    }

    private Task<RoleHarness> Load() => RoleHarness.LoadAsync(RoleFiles.Path("smarthome.cs"), Options(new Dictionary<string, string> { ["HA_TOKEN"] = "ha-secret" }));

    // As plugins.json would give them, with the variable the token is read from given by the test.
    private RoleHarnessOptions Options(Dictionary<string, string> environment) => new()
    {
        Http = _homeAssistant,
        Settings = new Dictionary<string, string>
        {
            ["http:baseAddress"] = "http://ha.test:8123/",
            ["http:allowedHosts"] = "ha.test",
            ["tokenVariable"] = "HA_TOKEN",
        },
        Environment = environment,
    };
}
