using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace AgentPlugins.Host.FrontDoor.Dashboard;

/// <summary>
/// The live dashboard: <c>GET /</c> is one self-contained page (HTML, CSS and script built into the
/// host, no front-end build step) and <c>GET /api/dashboard</c> the Server-Sent Events stream it follows:
/// <c>roles</c>, <c>timeline</c>, <c>failure</c> and, every second, <c>stats</c>.
/// </summary>
internal static class DashboardEndpoints
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("AgentPlugins.Host.dashboard.html")
            ?? throw new InvalidOperationException("The dashboard page is missing from the host assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    // A diagnostic's help link is docs/rules.md#ap0101: relative to the page, it lands here.
    private static readonly Lazy<string> RulesPage = new(() =>
    {
        var page = new StringBuilder("<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Role rules</title><body style=\"font: 14px system-ui; max-width: 60rem; margin: 1rem auto\"><h1>Role rules</h1>");
        foreach (var (code, section) in RuleSections.All)
        {
            page.Append(CultureInfo.InvariantCulture, $"<section id=\"{code.ToLowerInvariant()}\"><pre style=\"white-space: pre-wrap\">{WebUtility.HtmlEncode(section)}</pre></section>");
        }

        return page.Append("</body></html>").ToString();
    });

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Bytes(Page.Value, "text/html; charset=utf-8"))
            .WithName("Dashboard")
            .WithSummary("The live dashboard page; its data comes from /api/dashboard and the other /api endpoints with the token.")
            .ExcludeFromDescription();
        app.MapGet("/docs/rules.md", () => Results.Content(RulesPage.Value, "text/html; charset=utf-8"))
            .WithName("Rules")
            .WithSummary("The role rules (docs/rules.md), one anchored section per rule, where diagnostics' help links point.")
            .ExcludeFromDescription();
        app.MapGet("/api/dashboard", StreamAsync)
            .WithName("DashboardEvents")
            .WithSummary("Server-Sent Events for the dashboard: roles, timeline, failure, stats.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
    }

    private static async Task StreamAsync(HttpContext context, DashboardFeed feed, RoleLifecycle lifecycle, UnloadVerifier unloads, IHostApplicationLifetime lifetime)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = stopping.Token;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        using var page = feed.Connect();
        try
        {
            await WriteAsync(response, Format(new DashboardUpdate("roles", StatusEndpoints.Roles(lifecycle, unloads))), cancellationToken).ConfigureAwait(false);
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                idle.CancelAfter(KeepAlive);
                bool more;
                try
                {
                    more = await page.Updates.WaitToReadAsync(idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await WriteAsync(response, ": keep-alive\n\n", cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!more)
                {
                    return;
                }

                var text = new StringBuilder();
                while (page.Updates.TryRead(out var update))
                {
                    text.Append(Format(update));
                }

                await WriteAsync(response, text.ToString(), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page went away, or the host is stopping.
        }
    }

    private static string Format(DashboardUpdate update) => $"event: {update.Event}\ndata: {JsonSerializer.Serialize(update.Data, update.Data.GetType(), Json)}\n\n";

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.WriteAsync(text, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
