using System.Text.Json;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Roles;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>
/// An OpenAI-compatible face, so any OpenAI client or chat UI talks to the agent system:
/// <c>POST /v1/chat/completions</c> (plain and <c>stream: true</c>) and <c>GET /v1/models</c>.
/// The last user message is the request; model <c>agentplugins</c> runs it as plain words or a
/// direct command do, <c>agentplugins/ROLE</c> sends it straight to that role: one of its tool
/// commands (<c>set_timer 5m tea</c>) runs directly, other words go to the role's agent without the
/// router (when a model is configured). The user is <c>user</c>, else the token's.
/// </summary>
internal static class ChatCompletions
{
    public const string Model = "agentplugins";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/v1/chat/completions", CompleteAsync)
            .WithName("ChatCompletions")
            .WithSummary("OpenAI-compatible chat: the last user message runs as a request; stream: true answers in chat.completion.chunk events ending with [DONE].")
            .Accepts<ChatRequest>("application/json")
            .Produces<ChatCompletion>()
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/v1/models", Models)
            .WithName("Models")
            .WithSummary("agentplugins, and agentplugins/ROLE for each role that serves.")
            .Produces<ModelList>();
    }

    private static ModelList Models(RoleLifecycle roles)
    {
        var started = HostStatusFile.CurrentProcessStartedAt();
        var loaded = roles.Status.Where(s => s.Name is not null).ToDictionary(s => s.Name!, s => s.LoadedAt ?? started, StringComparer.Ordinal);
        var models = new List<ModelCard> { new(Model, "model", started.ToUnixTimeSeconds(), Model) };
        models.AddRange(roles.Tools.Keys.Order(StringComparer.Ordinal)
            .Select(role => new ModelCard($"{Model}/{role}", "model", loaded.GetValueOrDefault(role, started).ToUnixTimeSeconds(), Model)));
        return new ModelList("list", models);
    }

    private static async Task<IResult> CompleteAsync(HttpContext context, AgentPluginsOptions options, RoleLifecycle roles, RequestRunner runner, UserRateLimiter limiter)
    {
        var body = await JsonBody.ReadAsync<ChatRequest>(context.Request, options.Http.MaxBodyBytes, JsonBody.Lenient, context.RequestAborted).ConfigureAwait(false);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var chat = body.Value!;
        if (string.IsNullOrWhiteSpace(chat.Model))
        {
            return Problems.BadField("model", $"'model' is required: \"{Model}\" or \"{Model}/ROLE\".");
        }

        string? role = null;
        if (chat.Model != Model)
        {
            role = chat.Model.StartsWith(Model + "/", StringComparison.Ordinal) ? chat.Model[(Model.Length + 1)..] : null;
            if (role is null || !roles.Tools.ContainsKey(role))
            {
                return Problems.BadField("model", $"Unknown model '{chat.Model}'; GET /v1/models lists them: {string.Join(", ", Models(roles).Data.Select(m => m.Id))}.");
            }
        }

        if (chat.Messages is not { Count: > 0 })
        {
            return Problems.BadField("messages", "'messages' is required: at least one message with role \"user\".");
        }

        var last = chat.Messages.Select((m, i) => (Message: m, Index: i)).LastOrDefault(m => m.Message.Role == "user");
        if (last.Message is null)
        {
            return Problems.BadField("messages", "No message has role \"user\"; the last user message is the request.");
        }

        var text = TextOf(last.Message.Content, out var contentProblem);
        if (contentProblem is not null || string.IsNullOrWhiteSpace(text))
        {
            return Problems.BadField($"messages[{last.Index}].content", contentProblem ?? "The last user message has no text.");
        }

        var user = chat.User ?? BearerToken.UserOf(context.Request) ?? "openai";
        if (UserName.Check(user) is { } userProblem)
        {
            return userProblem;
        }

        if (!limiter.TryAcquire(user, out var retryAfter))
        {
            return Problems.TooManyRequests(context, user, retryAfter);
        }

        var run = runner.Start(RequestEndpoints.Channel, user, text.Trim(), role: role);
        var id = "chatcmpl-" + run.Id;
        var created = run.ReceivedAt.ToUnixTimeSeconds();
        if (chat.Stream == true)
        {
            await StreamAsync(context, runner, run, id, created, chat.Model, options.Http.RequestTimeout).ConfigureAwait(false);
            return Results.Empty;
        }

        var answer = await AnswerAsync(runner, run, options.Http.RequestTimeout, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new ChatCompletion(id, "chat.completion", created, chat.Model, [new ChatChoice(0, new ChatMessageOut("assistant", answer), "stop")]));
    }

    private static async Task StreamAsync(HttpContext context, RequestRunner runner, RequestRun run, string id, long created, string model, TimeSpan timeout)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var cancellationToken = context.RequestAborted;
        try
        {
            await WriteChunkAsync(response, new ChatChunk(id, "chat.completion.chunk", created, model, [new ChunkChoice(0, new ChunkDelta("assistant", string.Empty), null)]), cancellationToken).ConfigureAwait(false);
            var answer = await AnswerAsync(runner, run, timeout, cancellationToken).ConfigureAwait(false);
            await WriteChunkAsync(response, new ChatChunk(id, "chat.completion.chunk", created, model, [new ChunkChoice(0, new ChunkDelta(null, answer), null)]), cancellationToken).ConfigureAwait(false);
            await WriteChunkAsync(response, new ChatChunk(id, "chat.completion.chunk", created, model, [new ChunkChoice(0, new ChunkDelta(null, null), "stop")]), cancellationToken).ConfigureAwait(false);
            await response.WriteAsync("data: [DONE]\n\n", cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; the request still runs and its reply is in the user's outbox.
        }
    }

    private static async Task<string> AnswerAsync(RequestRunner runner, RequestRun run, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return (await run.Reply.WaitAsync(timeout, cancellationToken).ConfigureAwait(false)).Text;
        }
        catch (TimeoutException)
        {
            runner.Follow(run);
            return $"Still working on it after {timeout.TotalSeconds:F0} s (http:requestTimeout); the answer will arrive on GET /api/events?user={run.User} and at GET /api/requests/{run.Id}.";
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }
    }

    private static async Task WriteChunkAsync(HttpResponse response, ChatChunk chunk, CancellationToken cancellationToken)
    {
        await response.WriteAsync("data: " + JsonSerializer.Serialize(chunk, Wire) + "\n\n", cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The text of a message's content: a string, or an array of parts of which the text ones count.</summary>
    private static string? TextOf(JsonElement content, out string? problem)
    {
        problem = null;
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString();
            case JsonValueKind.Array:
                var parts = new List<string>();
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object
                        && part.TryGetProperty("type", out var type) && type.ValueEqualsString("text")
                        && part.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        parts.Add(value.GetString()!);
                    }
                }

                return string.Join("\n", parts);
            default:
                problem = "Message content must be a string or an array of {\"type\": \"text\", \"text\": \"...\"} parts.";
                return null;
        }
    }

    private static readonly JsonSerializerOptions Wire = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };
}

file static class JsonElementText
{
    public static bool ValueEqualsString(this JsonElement element, string text) =>
        element.ValueKind == JsonValueKind.String && string.Equals(element.GetString(), text, StringComparison.Ordinal);
}

/// <summary>The body of <c>POST /v1/chat/completions</c>; fields OpenAI defines that do not apply are ignored.</summary>
internal sealed record ChatRequest(string? Model, List<ChatMessageIn>? Messages, bool? Stream, string? User);

/// <summary>One message of the conversation; <see cref="Content"/> is a string or an array of parts.</summary>
internal sealed record ChatMessageIn(string? Role, JsonElement Content);

internal sealed record ChatCompletion(string Id, string Object, long Created, string Model, IReadOnlyList<ChatChoice> Choices);

internal sealed record ChatChoice(int Index, ChatMessageOut Message, [property: System.Text.Json.Serialization.JsonPropertyName("finish_reason")] string FinishReason);

internal sealed record ChatMessageOut(string Role, string Content);

internal sealed record ChatChunk(string Id, string Object, long Created, string Model, IReadOnlyList<ChunkChoice> Choices);

internal sealed record ChunkChoice(int Index, ChunkDelta Delta, string? FinishReason);

internal sealed record ChunkDelta(
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Content);

internal sealed record ModelList(string Object, IReadOnlyList<ModelCard> Data);

internal sealed record ModelCard(string Id, string Object, long Created, [property: System.Text.Json.Serialization.JsonPropertyName("owned_by")] string OwnedBy);
