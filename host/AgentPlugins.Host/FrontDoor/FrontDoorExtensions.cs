using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.FrontDoor.Dashboard;
using AgentPlugins.Host.FrontDoor.Mcp;
using AgentPlugins.Host.FrontDoor.Slack;
using AgentPlugins.Host.Notifications;
using AgentPlugins.Host.Notifications.Webhooks;
using AgentPlugins.Host.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>
/// The HTTP front door in two calls: <see cref="AddFrontDoor"/> (after the runtime's hosted service)
/// and <see cref="MapFrontDoor"/>. Everything here posts to the loop; no role code runs on Kestrel's threads.
/// </summary>
internal static class FrontDoorExtensions
{
    /// <summary>Registers Kestrel's addresses and limits, the outbox and its channels, the endpoints' services and the channels fed over HTTP.</summary>
    public static IServiceCollection AddFrontDoor(this IServiceCollection services, AgentPluginsOptions options)
    {
        var http = options.Http;

        // Endpoints take the validated options as they are (AddAgentPlugins registers them as IOptions).
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<AgentPluginsOptions>>().Value);
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The endpoints' own reader enforces http:maxBodyBytes to the byte; Kestrel's limit is the
            // backstop for everything else, with room for what it counts of a chunked body beyond the
            // data (a chunked body of exactly the limit was refused with it set to the limit itself).
            kestrel.Limits.MaxRequestBodySize = http.MaxBodyBytes + 4096L;
            foreach (var address in ListenAddresses.Parse(http.Urls, out _) ?? [])
            {
                ListenAddresses.Listen(kestrel, address);
            }
        });
        services.AddRoutingCore();
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "AgentPlugins";
            document.Info.Description = "Requests, live events, status, validation, health and an OpenAI-compatible chat endpoint.";
            return Task.CompletedTask;
        }));
        services.AddProblemDetails();
        services.AddNotificationOutbox(options.Storage, http.Outbox);
        services.AddSingleton<IChannel>(sp => new OutboxChannel(RequestEndpoints.Channel, sp.GetRequiredService<NotificationOutbox>()));
        services.AddSingleton(new BearerToken(string.IsNullOrWhiteSpace(http.TokenVariable) ? null : Environment.GetEnvironmentVariable(http.TokenVariable)));
        services.AddSingleton(new UserRateLimiter(http.RateLimit));
        services.AddSingleton<RequestRunner>();
        services.AddSingleton<LoopProbe>();
        services.AddSingleton<Readiness>();
        services.AddSingleton<RuntimeMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(HostMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        services.AddHostedService(sp => sp.GetRequiredService<Readiness>());
        services.AddSingleton<DashboardFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<DashboardFeed>());
        if (options.Channels.Webhooks.Count > 0)
        {
            services.AddSingleton<INotificationCopy>(sp => new WebhookCopies(
                options.Channels.Webhooks,
                sp.GetServices<IChannel>().OfType<OutboxChannel>().Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase),
                sp.GetRequiredService<NotificationOutbox>()));
        }

        foreach (var webhook in options.Channels.Webhooks)
        {
            var name = "webhook:" + webhook.Name;
            // Quick retries for a blip; the sender's own backoff (up to 30 s, from the durable cursor) covers an outage.
            services.AddHttpClient(name).AddStandardResilienceHandler(resilience => resilience.Retry.Delay = TimeSpan.FromMilliseconds(200));
            services.AddSingleton<IHostedService>(sp => new WebhookSender(
                webhook,
                Environment.GetEnvironmentVariable(webhook.SecretVariable) ?? string.Empty,
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(name),
                sp.GetRequiredService<NotificationOutbox>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<WebhookSender>>()));
        }

        var slack = options.Channels.Slack;
        if (slack.Enabled)
        {
            services.AddSingleton(new SlackSecrets(
                Environment.GetEnvironmentVariable(slack.SigningSecretVariable) ?? string.Empty,
                Environment.GetEnvironmentVariable(slack.BotTokenVariable) ?? string.Empty));
            services.AddSingleton<IChannel>(sp => new OutboxChannel(SlackResponder.ChannelName, sp.GetRequiredService<NotificationOutbox>()));
            services.AddHttpClient("slack").AddStandardResilienceHandler(resilience => resilience.Retry.Delay = TimeSpan.FromMilliseconds(200));
            services.AddSingleton(sp => new SlackApi(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient("slack"),
                new Uri(slack.ApiBase.EndsWith('/') ? slack.ApiBase : slack.ApiBase + "/"),
                sp.GetRequiredService<SlackSecrets>().BotToken));
            services.AddSingleton(sp => SlackInbox.Open(Path.Combine(options.Storage.DataFolder, "slack.db"), sp.GetRequiredService<TimeProvider>()));
            services.AddHostedService<SlackResponder>();
            services.AddHostedService<SlackNotifier>();
        }

        services.AddMcpEndpoints(options);
        return services;
    }

    /// <summary>Adds problem+json for errors and unknown routes, the token check, and every endpoint.</summary>
    public static WebApplication MapFrontDoor(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(StatusCodeProblems.WriteAsync);
        var token = app.Services.GetRequiredService<BearerToken>();
        app.Use((context, next) => token.InvokeAsync(context, next));
        HealthEndpoints.Map(app);
        RequestEndpoints.Map(app);
        EventStream.Map(app);
        StatusEndpoints.Map(app);
        ValidateEndpoint.Map(app);
        ChatCompletions.Map(app);
        DashboardEndpoints.Map(app);
        if (app.Services.GetRequiredService<AgentPluginsOptions>().Channels.Slack.Enabled)
        {
            SlackEventsEndpoint.Map(app);
        }
        app.MapMcpEndpoints();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.Services.GetRequiredService<RuntimeMetrics>();
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
