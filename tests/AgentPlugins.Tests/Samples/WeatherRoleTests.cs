using AgentPlugins.Host.Configuration;
using AgentPlugins.Tests.Agents;
using AgentPlugins.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace AgentPlugins.Tests.Samples;

/// <summary>roles/weather.cs against a fake weather API on 127.0.0.1 that speaks wttr.in's JSON.</summary>
public sealed class WeatherRoleTests
{
    private const string Paris = """
        { "current_condition": [ { "temp_C": "12", "FeelsLikeC": "10", "humidity": "81", "windspeedKmph": "15", "winddir16Point": "SW",
          "weatherDesc": [ { "value": "Light rain" } ] } ] }
        """;

    private static Func<AgentPluginsOptions, AgentPluginsOptions> Settings(params (string Key, string Value)[] settings) => options => options with
    {
        Roles = options.Roles with { Settings = new(StringComparer.OrdinalIgnoreCase) { ["weather"] = settings.ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase) } },
    };

    private static async Task<TestRuntime> StartAsync(Func<AgentPluginsOptions, AgentPluginsOptions> configure)
    {
        var test = await TestRuntime.Create(new Dictionary<string, string> { ["weather.cs"] = await File.ReadAllTextAsync(Repository.SampleRole("weather.cs")) }, configure: configure).StartAsync();
        Assert.Empty(test.StartupFailures);
        return test;
    }

    private static Task<LoopbackReceiver> ApiAsync(Func<ReceivedRequest, IResult> answer) =>
        LoopbackReceiver.StartAsync(request => Task.FromResult(answer(request)));

    [Fact]
    public async Task Get_weather_reads_the_city_from_the_API_in_the_settings()
    {
        await using var api = await ApiAsync(_ => Results.Text(Paris, "application/json"));
        await using var test = await StartAsync(Settings(("http:baseAddress", api.Address.ToString())));

        var reply = await test.AskAsync("/weather get_weather 'New York'");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("New York: 12 °C (feels like 10 °C), light rain, wind 15 km/h from SW, humidity 81%.", reply.Text);
        var request = Assert.Single(api.Received);
        Assert.Equal(("GET", "/New%20York", "?format=j1"), (request.Method, request.Path, request.Query));
    }

    [Fact]
    public async Task The_model_sees_the_weather_data_not_just_a_promise_to_look_it_up()
    {
        await using var api = await ApiAsync(_ => Results.Text(Paris, "application/json"));
        await using var agents = await AgentHarness.StartAsync(
            new Dictionary<string, string> { ["weather.cs"] = await File.ReadAllTextAsync(Repository.SampleRole("weather.cs")) },
            options: Settings(("http:baseAddress", api.Address.ToString())));
        agents.Server.Enqueue(
            ScriptedReply.Route("weather", 0.95, """{"city": "Paris"}"""),
            ScriptedReply.Call("weather-get_weather", """{"city": "Paris"}"""),
            ScriptedReply.Text("Light rain and 12 °C in Paris."));

        var reply = await agents.AskAsync("what's the weather in Paris?");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("Paris: 12 °C (feels like 10 °C), light rain, wind 15 km/h from SW, humidity 81%.", Assert.Single(agents.Server.Requests[2].ToolResults));
    }

    [Fact]
    public async Task A_500_is_answered_naming_the_status_and_the_host()
    {
        await using var api = await ApiAsync(_ => Results.StatusCode(500));
        await using var test = await StartAsync(Settings(("http:baseAddress", api.Address.ToString()), ("http:retries", "0")));

        var reply = await test.AskAsync("/weather get_weather Paris");

        Assert.False(reply.Success);
        Assert.Equal("The weather service at 127.0.0.1 answered HTTP 500 (Internal Server Error) for 'Paris'.", reply.Text);
    }

    [Fact]
    public async Task An_unknown_city_is_said_plainly()
    {
        await using var api = await ApiAsync(_ => Results.NotFound());
        await using var test = await StartAsync(Settings(("http:baseAddress", api.Address.ToString())));

        var reply = await test.AskAsync("/weather get_weather Atlantis");

        Assert.False(reply.Success);
        Assert.Equal("The weather service knows no place called 'Atlantis'.", reply.Text);
    }

    [Fact]
    public async Task A_slow_API_times_out_with_the_time_in_the_message()
    {
        await using var api = await LoopbackReceiver.StartAsync(async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            return Results.Text(Paris, "application/json");
        });
        await using var test = await StartAsync(Settings(("http:baseAddress", api.Address.ToString()), ("http:timeout", "00:00:00.3"), ("http:retries", "1")));

        var reply = await test.AskAsync("/weather get_weather Paris");

        Assert.False(reply.Success);
        Assert.Contains("Role 'weather': GET http://127.0.0.1:", reply.Text, StringComparison.Ordinal);
        Assert.EndsWith("/Paris timed out after 0.3 s (2 attempts).", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_API_off_the_allow_list_fails_the_load_naming_the_role_and_the_host()
    {
        await using var test = await TestRuntime.Create(
            new Dictionary<string, string> { ["weather.cs"] = await File.ReadAllTextAsync(Repository.SampleRole("weather.cs")) },
            configure: Settings(("http:baseAddress", "http://127.0.0.1:9/"), ("http:allowedHosts", "wttr.in"))).StartAsync();

        var failure = Assert.Single(test.StartupFailures);
        Assert.Equal("Role 'weather': 'roles:settings:weather:http:baseAddress' points at '127.0.0.1', which 'roles:settings:weather:http:allowedHosts' does not allow.", failure.Message);
        Assert.False((await test.AskAsync("/weather get_weather Paris")).Success);
    }

    [Fact]
    public async Task Without_a_base_address_the_role_says_which_setting_to_add()
    {
        await using var test = await StartAsync(Settings());

        var reply = await test.AskAsync("/weather get_weather Paris");

        Assert.False(reply.Success);
        Assert.StartsWith("No weather API is configured: set roles:settings:weather:http:baseAddress", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_API_reachable_the_role_still_loads_and_answers_with_the_cause()
    {
        await using var test = await StartAsync(Settings(("http:baseAddress", $"http://127.0.0.1:{LoopbackReceiver.FreePort()}/"), ("http:retries", "0")));

        var reply = await test.AskAsync("/weather get_weather Paris");

        Assert.False(reply.Success);
        Assert.Contains("Role 'weather': GET http://127.0.0.1:", reply.Text, StringComparison.Ordinal);
        Assert.Contains("/Paris failed: Connection refused", reply.Text, StringComparison.Ordinal);
    }
}
