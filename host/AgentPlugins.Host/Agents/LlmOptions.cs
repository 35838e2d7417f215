namespace AgentPlugins.Host.Agents;

/// <summary>
/// plugins.json <c>llm</c>: the model servers the host may call, which model each tier runs on, and
/// how requests are routed. When the section is absent the host runs without a model.
/// </summary>
internal sealed record LlmOptions
{
    /// <summary>Model servers by name; any OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp, LM Studio, OpenAI).</summary>
    public Dictionary<string, LlmProviderOptions> Providers { get; init; } = new(StringComparer.Ordinal);

    public LlmTiersOptions Tiers { get; init; } = new();

    public RoutingOptions Routing { get; init; } = new();

    public ConversationOptions Conversation { get; init; } = new();
}

/// <summary>plugins.json <c>llm:providers:NAME</c>.</summary>
internal sealed record LlmProviderOptions
{
    /// <summary>The OpenAI-compatible base address, e.g. <c>http://localhost:11434/v1</c>.</summary>
    public string Endpoint { get; init; } = string.Empty;

    /// <summary>The model ids the server offers; when given, a tier may only name one of these.</summary>
    public List<string> Models { get; init; } = [];

    /// <summary>The environment variable holding the API key; none for servers that need no key.</summary>
    public string? ApiKeyVariable { get; init; }

    /// <summary>How long one attempt may take before it counts as failed (and is retried).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a transient failure (429, 5xx, timeout, refused connection) is retried.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>The first retry's delay; later ones back off exponentially.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>plugins.json <c>llm:tiers</c>: the model each <see cref="Sdk.LlmTier"/> runs on.</summary>
internal sealed record LlmTiersOptions
{
    public LlmTierOptions? Weak { get; init; }

    public LlmTierOptions? Default { get; init; }

    public LlmTierOptions? Strong { get; init; }
}

/// <summary>plugins.json <c>llm:tiers:TIER</c>.</summary>
internal sealed record LlmTierOptions
{
    /// <summary>A name under <c>llm:providers</c>.</summary>
    public string Provider { get; init; } = string.Empty;

    /// <summary>The model id sent to the provider.</summary>
    public string Model { get; init; } = string.Empty;
}

/// <summary>plugins.json <c>llm:routing</c>.</summary>
internal sealed record RoutingOptions
{
    /// <summary>The role whose prompt routes each request (weak tier).</summary>
    public string Router { get; init; } = "router";

    /// <summary>The role that turns a request into a plan of steps (strong tier).</summary>
    public string Planner { get; init; } = "planner";

    /// <summary>The router's confidence at or above which the chosen role answers directly.</summary>
    public double Threshold { get; init; } = 0.7;

    /// <summary>The most steps a plan may have.</summary>
    public int MaxPlanSteps { get; init; } = 6;

    /// <summary>The most rounds of tool calls in one role's answer.</summary>
    public int MaxToolRounds { get; init; } = 5;

    /// <summary>How deep requests may start requests (a tool's WorkflowIntent, a plan's step) before they are stopped.</summary>
    public int MaxDepth { get; init; } = 2;
}

/// <summary>plugins.json <c>llm:conversation</c>.</summary>
internal sealed record ConversationOptions
{
    /// <summary>How many exchanges per user and channel are kept (durably) and shown to the model.</summary>
    public int MaxTurns { get; init; } = 10;
}
