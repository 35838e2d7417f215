using AgentPlugins.Host.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentPlugins.Host.FrontDoor;

/// <summary><c>POST /api/requests</c> and <c>GET /api/requests/{id}</c>.</summary>
internal static class RequestEndpoints
{
    public const string Channel = "http";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/api/requests", PostAsync)
            .WithName("SendRequest")
            .WithSummary("Runs a request as the console does; answers with the reply, or 202 with an id when it takes longer than http:requestTimeout.")
            .Accepts<RequestBody>("application/json")
            .Produces<RequestAnswer>(StatusCodes.Status200OK)
            .Produces<RequestAnswer>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapGet("/api/requests/{id}", Get)
            .WithName("GetRequest")
            .WithSummary("The state of a request that was answered 202.")
            .Produces<RequestAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> PostAsync(HttpContext context, AgentPluginsOptions options, RequestRunner runner, UserRateLimiter limiter)
    {
        var body = await JsonBody.ReadAsync<RequestBody>(context.Request, options.Http.MaxBodyBytes, JsonBody.Strict, context.RequestAborted).ConfigureAwait(false);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        if (string.IsNullOrWhiteSpace(request.Text))
        {
            return Problems.BadField("text", "'text' is required: the request, e.g. \"/timer set_timer 5m tea\".");
        }

        if (UserName.Check(request.User) is { } problem)
        {
            return problem;
        }

        if (!limiter.TryAcquire(request.User!, out var retryAfter))
        {
            return Problems.TooManyRequests(context, request.User!, retryAfter);
        }

        var run = runner.Start(Channel, request.User!, request.Text);
        return await AnswerAsync(context, runner, run, options.Http.RequestTimeout).ConfigureAwait(false);
    }

    private static IResult Get(string id, RequestRunner runner) =>
        runner.Find(id) is { } run
            ? Describe(run)
            : Problems.BadField("id", $"No request '{id}' is known here (a request answered 202 is kept 10 minutes after it completes; one answered at once is not kept).", StatusCodes.Status404NotFound);

    private static async Task<IResult> AnswerAsync(HttpContext context, RequestRunner runner, RequestRun run, TimeSpan timeout)
    {
        try
        {
            await run.Reply.WaitAsync(timeout, context.RequestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still running: the client follows it by id or on its event stream.
            runner.Follow(run);
        }
        catch (InvalidOperationException ex)
        {
            return Problems.Unavailable(ex.Message);
        }

        return Describe(run);
    }

    private static IResult Describe(RequestRun run)
    {
        if (!run.Reply.IsCompleted)
        {
            return TypedResults.Accepted($"/api/requests/{run.Id}", new RequestAnswer(run.Id, "running", null, null));
        }

        if (!run.Reply.IsCompletedSuccessfully)
        {
            return Problems.Unavailable(run.Reply.Exception?.InnerException?.Message ?? "The request did not run.");
        }

        var reply = run.Reply.Result;
        return TypedResults.Ok(new RequestAnswer(run.Id, "completed", reply.Success, reply.Text));
    }
}

/// <summary>The body of <c>POST /api/requests</c>.</summary>
/// <param name="Text">A direct command (<c>/timer set_timer 5m tea</c>) or plain words (with a model configured).</param>
/// <param name="User">Who asks; their notifications come back on their event stream.</param>
internal sealed record RequestBody(string? Text, string? User);

/// <summary>A request's state: <c>completed</c> with the reply, or <c>running</c>.</summary>
internal sealed record RequestAnswer(string Id, string Status, bool? Success, string? Reply);
