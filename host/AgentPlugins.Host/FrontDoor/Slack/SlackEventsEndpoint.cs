using System.Text.Json;
using System.Text.RegularExpressions;
using AgentPlugins.Host.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.FrontDoor.Slack;

/// <summary>
/// <c>POST /slack/events</c>, Slack's Events API: verifies the v0 signature and the 5-minute window,
/// answers <c>url_verification</c>, drops Slack's retries by <c>event_id</c>, and acknowledges at once
/// (Slack wants an answer within 3 s) while the <see cref="SlackResponder"/> runs the request after.
/// </summary>
internal static partial class SlackEventsEndpoint
{
    public const string Path = "/slack/events";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(Path, ReceiveAsync)
            .WithName("SlackEvents")
            .WithSummary("Slack Events API: signed with the app's signing secret instead of the bearer token.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

    private static async Task<IResult> ReceiveAsync(
        HttpContext context,
        AgentPluginsOptions options,
        SlackSecrets secrets,
        SlackInbox inbox,
        TimeProvider clock,
        ILogger<SlackResponder> log)
    {
        var body = await JsonBody.ReadBytesAsync(context.Request, options.Http.MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var headers = context.Request.Headers;
        if (SlackSignature.Check(secrets.SigningSecret, headers[SlackSignature.TimestampHeader], headers[SlackSignature.SignatureHeader], body.Value, clock.GetUtcNow()) is { } refused)
        {
            log.LogWarning("Refused a Slack request: {Header} {Problem}", refused.Field, refused.Problem);
            return Problems.BadField(refused.Field, refused.Problem, StatusCodes.Status401Unauthorized);
        }

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(body.Value).RootElement;
        }
        catch (JsonException ex)
        {
            return Problems.BadField("body", $"Not JSON: {ex.Message}");
        }

        var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (type)
        {
            case "url_verification":
                return root.TryGetProperty("challenge", out var challenge) && challenge.ValueKind == JsonValueKind.String
                    ? TypedResults.Ok(new { challenge = challenge.GetString() })
                    : Problems.BadField("challenge", "url_verification needs a 'challenge' string.");
            case "event_callback":
                break;
            default:
                return Problems.BadField("type", $"'{type}' is not a Slack event type this endpoint takes (url_verification, event_callback).");
        }

        if (!root.TryGetProperty("event_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 } eventId)
        {
            return Problems.BadField("event_id", "event_callback needs an 'event_id' string.");
        }

        if (!root.TryGetProperty("event", out var e) || e.ValueKind != JsonValueKind.Object)
        {
            return Problems.BadField("event", "event_callback needs an 'event' object.");
        }

        bool accepted;
        try
        {
            // Recorded before the acknowledgement: from then on the message cannot be lost or run twice.
            accepted = inbox.TryAccept(eventId, Read(eventId, e));
        }
        catch (SqliteException ex)
        {
            // Not recorded: refuse, so Slack retries it later rather than it being lost.
            log.LogError("Could not record Slack event {EventId} ({Error}); Slack will retry it.", eventId, ex.Message);
            return Problems.Unavailable("The host cannot record Slack messages right now; Slack will retry this one.");
        }

        if (!accepted)
        {
            log.LogDebug("Slack event {EventId} seen before (retry {Retry}); ignored.", eventId, headers["X-Slack-Retry-Num"].ToString());
            return TypedResults.Ok(new { ok = true, duplicate = true });
        }

        return TypedResults.Ok(new { ok = true });
    }

    /// <summary>A user's message or mention of the app; null for what the app does not answer (bots, edits, joins).</summary>
    private static SlackMessage? Read(string eventId, JsonElement e)
    {
        string? Text(string name) => e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var kind = Text("type");
        if ((kind != "message" && kind != "app_mention") || Text("subtype") is not null || Text("bot_id") is not null)
        {
            return null;
        }

        var user = Text("user");
        var channel = Text("channel");
        var ts = Text("ts");
        var text = Mention().Replace(Text("text") ?? string.Empty, string.Empty).Trim();
        return user is null || channel is null || ts is null || text.Length == 0
            ? null
            : new SlackMessage(eventId, user, channel, Text("thread_ts") ?? ts, text);
    }

    [GeneratedRegex(@"<@[A-Z0-9]+>")]
    private static partial Regex Mention();
}

/// <summary>The Slack secrets, read from the environment variables the options name.</summary>
internal sealed record SlackSecrets(string SigningSecret, string BotToken);
