using System.Net;
using AgentPlugins.Testing;

namespace RoleTests;

// The weather role reads a JSON weather API through context.Http. The kit puts the host's own role
// client (base address, timeout, retries, allowed hosts from the settings, as plugins.json gives them)
// in front of a ScriptedHttp, so the tool's answer, and its failures, are what the host would give.
public sealed class WeatherRoleTests : IDisposable
{
    private const string Paris = """
        {"current_condition": [{"temp_C": "12", "FeelsLikeC": "10", "humidity": "81", "windspeedKmph": "15", "winddir16Point": "SW",
          "weatherDesc": [{"value": "Light rain"}]}]}
        """;

    private readonly ScriptedHttp _api = new();

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Get_weather_gives_the_model_the_data_from_the_api()
    {
        _api.Answer(HttpMethod.Get, "/Paris", HttpStatusCode.OK, Paris);
        using var weather = await Load();

        var result = await weather.CallToolAsync("get_weather", new { city = " Paris " });

        Assert.True(result.Success);
        Assert.Equal("Paris: 12 °C (feels like 10 °C), light rain, wind 15 km/h from SW, humidity 81%.", result.Message);
        var request = Assert.Single(_api.Requests);
        Assert.Equal("http://weather.test/Paris?format=j1", request.Uri.ToString());
    }

    [Fact]
    public async Task An_unknown_city_and_a_server_error_are_told_apart()
    {
        _api.Answer(HttpMethod.Get, "/Atlantis", HttpStatusCode.NotFound).Answer(HttpMethod.Get, "/Paris", HttpStatusCode.InternalServerError);
        using var weather = await Load();

        var unknown = await weather.CommandAsync("get_weather Atlantis");
        var broken = await weather.CommandAsync("get_weather Paris");

        Assert.Equal((false, "The weather service knows no place called 'Atlantis'."), (unknown.Success, unknown.Message));
        Assert.Equal((false, "The weather service at weather.test answered HTTP 500 (Internal Server Error) for 'Paris'."), (broken.Success, broken.Message));
        Assert.Equal(2, _api.Requests.Count(r => r.Uri.AbsolutePath == "/Paris"));    // http:retries = 1: a 500 is tried twice
    }

    [Fact]
    public async Task A_timeout_names_the_call_and_how_long_it_waited()
    {
        _api.Hang(HttpMethod.Get, "/Paris");
        using var weather = await Load(("http:timeout", "00:00:00.300"), ("http:retries", "0"));

        var result = await weather.CallToolAsync("get_weather", new { city = "Paris" });

        Assert.False(result.Success);
        Assert.Equal("Tool weather/get_weather failed: HttpRequestException: Role 'weather': GET http://weather.test/Paris timed out after 0.3 s.", result.Message);
    }

    [Fact]
    public async Task Without_an_api_address_the_tool_says_which_setting_to_add()
    {
        using var weather = await RoleHarness.LoadAsync(RoleFiles.Path("weather.cs"), new RoleHarnessOptions { Http = _api });

        var result = await weather.CallToolAsync("get_weather", new { city = "Paris" });

        Assert.False(result.Success);
        Assert.Contains("roles:settings:weather:http:baseAddress", result.Message, StringComparison.Ordinal);
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task A_base_address_off_the_allow_list_does_not_load()
    {
        var load = RoleHarness.LoadAsync(RoleFiles.Path("weather.cs"), new RoleHarnessOptions
        {
            Http = _api,
            Settings = new Dictionary<string, string> { ["http:baseAddress"] = "http://weather.test/", ["http:allowedHosts"] = "wttr.in" },
        });

        var error = await Assert.ThrowsAsync<RoleLoadException>(() => load);
        Assert.Contains(error.Problems, p => p.Code == "AP1014" && p.Message.Contains("'roles:settings:weather:http:baseAddress' points at 'weather.test'", StringComparison.Ordinal));
    }

    // The settings as plugins.json's roles:settings:weather gives them, against the scripted API.
    private Task<RoleHarness> Load(params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string>
        {
            ["http:baseAddress"] = "http://weather.test/",
            ["http:allowedHosts"] = "weather.test",
            ["http:retries"] = "1",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return RoleHarness.LoadAsync(RoleFiles.Path("weather.cs"), new RoleHarnessOptions { Http = _api, Settings = settings });
    }
}
