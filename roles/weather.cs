// The weather role: the current weather in a city, read from a JSON weather API, so the model
// answers from real data. The API's address comes from plugins.json (roles:settings:weather:http),
// where the host also sets its timeout, retries and allowed hosts; this file only reads.
// The API speaks wttr.in's JSON form: GET {baseAddress}{city}?format=j1.
using System.ComponentModel;
using System.Net;
using System.Text.Json;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

public sealed class WeatherRole : IRole
{
    // ── 2. Metadata: what the role is and when the router picks it ───────────────────────────

    public RoleConfig Config { get; } = new(
        Name: "weather",
        Version: "1.0.0",
        Description: "Current weather in a city: temperature, sky, wind and humidity",
        WhenToUse: "The user asks about the weather, temperature, rain or wind somewhere now",
        Llm: LlmTier.Weak,
        FastReply: true);

    // ── 3. Registration: everything below, in this order ─────────────────────────────────────

    public void Register(RoleBuilder role) => role.Tools(this);

    // ── 5. Tools: what the model (or a /weather command) can call; they return intents ───────

    [KernelFunction("get_weather"), Description("Get the current weather in a city")]
    public async Task<ToolResult> GetWeather(
        [Description("The city, e.g. Paris or New York")] string city,
        ToolContext context)
    {
        if (string.IsNullOrWhiteSpace(city))
        {
            return ToolResult.Fail("Say which city, e.g. /weather get_weather Paris.");
        }

        if (context.Http.BaseAddress is null)
        {
            return ToolResult.Fail("No weather API is configured: set roles:settings:weather:http:baseAddress in plugins.json, e.g. \"https://wttr.in/\".");
        }

        // A failure to reach the API (timeout, refused, a host not allowed) is named by the host.
        using var response = await context.Http.GetAsync($"{Uri.EscapeDataString(city.Trim())}?format=j1", context.Cancellation);
        if (!response.IsSuccessStatusCode)
        {
            return ToolResult.Fail(Refusal(city, response));
        }

        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(context.Cancellation), cancellationToken: context.Cancellation);
        return Describe(city.Trim(), json.RootElement) is { } weather
            ? ToolResult.Ok(weather)
            : ToolResult.Fail($"The weather service at {response.RequestMessage?.RequestUri?.Host} answered, but not with weather data for '{city}'.");
    }

    // ── 6. Helpers: private static functions ─────────────────────────────────────────────────

    private static string Refusal(string city, HttpResponseMessage response) => response.StatusCode switch
    {
        HttpStatusCode.NotFound => $"The weather service knows no place called '{city}'.",
        var status => $"The weather service at {response.RequestMessage?.RequestUri?.Host} answered HTTP {(int)status} ({response.ReasonPhrase}) for '{city}'.",
    };

    // "Paris: 12 °C (feels like 10 °C), light rain, wind 15 km/h from SW, humidity 81%."
    private static string? Describe(string city, JsonElement root)
    {
        if (!root.TryGetProperty("current_condition", out var conditions) || conditions.ValueKind != JsonValueKind.Array || conditions.GetArrayLength() == 0)
        {
            return null;
        }

        var now = conditions[0];
        string? Read(string name) => now.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var sky = now.TryGetProperty("weatherDesc", out var descriptions) && descriptions.ValueKind == JsonValueKind.Array && descriptions.GetArrayLength() > 0
            && descriptions[0].TryGetProperty("value", out var text) ? text.GetString() : null;
        if (Read("temp_C") is not { } temperature)
        {
            return null;
        }

        var feels = Read("FeelsLikeC") is { } feelsLike && feelsLike != temperature ? $" (feels like {feelsLike} °C)" : string.Empty;
        var wind = Read("windspeedKmph") is { } speed ? $", wind {speed} km/h{(Read("winddir16Point") is { } direction ? $" from {direction}" : string.Empty)}" : string.Empty;
        var humidity = Read("humidity") is { } percent ? $", humidity {percent}%" : string.Empty;
        return $"{city}: {temperature} °C{feels}, {sky?.Trim().ToLowerInvariant() ?? "sky unknown"}{wind}{humidity}.";
    }
}
