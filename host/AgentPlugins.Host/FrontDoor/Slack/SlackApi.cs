using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace AgentPlugins.Host.FrontDoor.Slack;

/// <summary>The one Slack Web API call the channel makes: <c>chat.postMessage</c>, against <c>channels:slack:apiBase</c>.</summary>
internal sealed class SlackApi(HttpClient client, Uri apiBase, string botToken)
{
    /// <summary>Posts <paramref name="text"/> to <paramref name="channel"/> (a user id opens the app's direct message), in a thread when <paramref name="threadTs"/> is given.</summary>
    /// <returns>Null when Slack accepted it; else Slack's error.</returns>
    public async Task<string?> PostMessageAsync(string channel, string text, string? threadTs, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(apiBase, "chat.postMessage"))
        {
            Content = JsonContent.Create(new PostMessage(channel, text, threadTs), options: Json),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", botToken);
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return $"HTTP {(int)response.StatusCode}";
        }

        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
        return answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True
            ? null
            : answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("error", out var error) ? error.ToString() : "not ok";
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed record PostMessage(string Channel, string Text, string? ThreadTs);
}
