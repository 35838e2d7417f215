namespace AgentPlugins.Host.Configuration;

/// <summary>plugins.json <c>http</c>: the HTTP front door (API, live events, OpenAI-compatible chat, health, metrics).</summary>
internal sealed record HttpOptions
{
    /// <summary>Serve HTTP at all.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Where to listen, separated by <c>;</c>. A non-loopback address needs <see cref="TokenVariable"/>.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>The environment variable holding the bearer token every endpoint but health requires; null: no token (loopback only).</summary>
    public string? TokenVariable { get; init; }

    /// <summary>How long <c>POST /api/requests</c> waits for the reply before answering 202 with an id to follow.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest request body accepted, in bytes.</summary>
    public int MaxBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>How long the loop may take to run the health probe before <c>/healthz</c> turns red.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Per-user request rate (token bucket).</summary>
    public RateLimitOptions RateLimit { get; init; } = new();

    /// <summary>How much of the notification outbox is kept for reconnecting clients, webhooks and Slack.</summary>
    public OutboxOptions Outbox { get; init; } = new();

    /// <summary>The Model Context Protocol endpoints on this listener (docs/mcp.md).</summary>
    public McpEndpointOptions Mcp { get; init; } = new();
}

/// <summary>plugins.json <c>http:rateLimit</c>: a token bucket per user.</summary>
internal sealed record RateLimitOptions
{
    /// <summary>Requests a user may send per second, sustained.</summary>
    public int PermitsPerSecond { get; init; } = 20;

    /// <summary>Requests a user may send at once before the rate applies.</summary>
    public int Burst { get; init; } = 40;
}

/// <summary>plugins.json <c>http:outbox</c>: notifications older or beyond these bounds are dropped.</summary>
internal sealed record OutboxOptions
{
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(7);

    public int MaxCount { get; init; } = 100_000;
}
