using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentPlugins.Host.Notifications;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>
/// <c>GET /api/events?user=U</c>: a Server-Sent Events stream of everything for U on the HTTP
/// channel, replies and notifications, each with its outbox id. A client that reconnects with
/// <c>Last-Event-ID</c> first gets what it missed from the outbox, then the live ones.
/// </summary>
internal static class EventStream
{
    private const int ReplayPage = 500;
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static void Map(IEndpointRouteBuilder api) =>
        api.MapGet("/api/events", StreamAsync)
            .WithName("Events")
            .WithSummary("Server-Sent Events: the user's replies and notifications; send Last-Event-ID to resume.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<IResult> StreamAsync(HttpContext context, string? user, NotificationOutbox outbox, IHostApplicationLifetime lifetime)
    {
        if (UserName.Check(user) is { } problem)
        {
            return problem;
        }

        var lastId = 0L;
        var resume = context.Request.Headers["Last-Event-ID"].ToString();
        var field = "Last-Event-ID";
        if (resume.Length == 0 && context.Request.Query.TryGetValue("lastEventId", out var fromQuery))
        {
            resume = fromQuery.ToString();
            field = "lastEventId";
        }

        if (resume.Length > 0 && (!long.TryParse(resume, NumberStyles.None, CultureInfo.InvariantCulture, out lastId) || lastId < 0))
        {
            return Problems.BadField(field, $"'{resume}' is not an event id (a non-negative whole number from the stream's id: lines).");
        }

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = stopping.Token;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();

        // Subscribe before replaying, so nothing committed in between falls in the gap.
        using var live = outbox.Subscribe(RequestEndpoints.Channel, user!);
        try
        {
            await WriteAsync(response, "retry: 2000\n: connected\n\n", cancellationToken).ConfigureAwait(false);
            if (resume.Length > 0)
            {
                while (true)
                {
                    var missed = await outbox.ReadAsync(RequestEndpoints.Channel, user, lastId, ReplayPage, cancellationToken).ConfigureAwait(false);
                    foreach (var notification in missed)
                    {
                        await WriteAsync(response, Format(notification), cancellationToken).ConfigureAwait(false);
                        lastId = notification.Id;
                    }

                    if (missed.Count < ReplayPage)
                    {
                        break;
                    }
                }
            }

            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                idle.CancelAfter(KeepAlive);
                bool more;
                try
                {
                    more = await live.Reader.WaitToReadAsync(idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await WriteAsync(response, ": keep-alive\n\n", cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!more)
                {
                    // Cut off for falling behind, or the host is stopping: the client reconnects with its last id.
                    break;
                }

                var text = new StringBuilder();
                while (live.Reader.TryRead(out var notification))
                {
                    if (notification.Id > lastId)
                    {
                        text.Append(Format(notification));
                        lastId = notification.Id;
                    }
                }

                if (text.Length > 0)
                {
                    await WriteAsync(response, text.ToString(), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the host stops.
        }

        return Results.Empty;
    }

    internal static string Format(StoredNotification notification)
    {
        var data = JsonSerializer.Serialize(
            new EventData(notification.Id, notification.Kind, notification.User, notification.Text, notification.Priority, notification.RequestId, notification.CreatedAt),
            JsonBody.Lenient);
        return string.Create(CultureInfo.InvariantCulture, $"id: {notification.Id}\nevent: {notification.Kind}\ndata: {data}\n\n");
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.WriteAsync(text, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The <c>data:</c> of one event.</summary>
    internal sealed record EventData(long Id, string Kind, string User, string Text, string Priority, string? RequestId, DateTimeOffset CreatedAt);
}
