using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI;
using Polly;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// One Semantic Kernel chat client per configured tier, over one HTTP client per provider. Each HTTP
/// client retries transient failures (429, 5xx, per-attempt timeouts, refused connections) with
/// exponential backoff through Microsoft.Extensions.Http.Resilience. The OpenAI client's own retries
/// and network timeout are turned off, so that pipeline is the only place that retries or times out.
/// </summary>
internal sealed class ModelClients : IDisposable
{
    // The OpenAI client insists on a credential; servers that need no key (Ollama, llama.cpp) ignore this one.
    private const string NoKey = "no-key";

    private readonly Dictionary<string, HttpClient> _http = new(StringComparer.Ordinal);
    private readonly Dictionary<LlmTier, (ModelTier Tier, IChatCompletionService Chat)> _chat = [];

    public ModelClients(ModelTiers tiers, ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        foreach (var tier in tiers.All)
        {
            if (!_http.TryGetValue(tier.ProviderName, out var http))
            {
                http = _http[tier.ProviderName] = CreateHttpClient(tier.Provider);
            }

            var client = new OpenAIClient(
                new ApiKeyCredential(string.IsNullOrEmpty(tier.ApiKey) ? NoKey : tier.ApiKey),
                new OpenAIClientOptions
                {
                    Endpoint = tier.Endpoint,
                    Transport = new HttpClientPipelineTransport(http),
                    RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                    NetworkTimeout = Timeout.InfiniteTimeSpan,
                });
            _chat[tier.Tier] = (tier, new OpenAIChatCompletionService(tier.Model, client, logs));
        }

        Tiers = tiers;
    }

    public ModelTiers Tiers { get; }

    /// <summary>The chat client of <paramref name="tier"/>; false with a message naming the missing key when it is not configured.</summary>
    public bool TryGet(LlmTier tier, string role, out ModelTier? model, out IChatCompletionService? chat, out string error)
    {
        chat = null;
        if (!Tiers.TryGet(tier, role, out model, out error))
        {
            return false;
        }

        chat = _chat[tier].Chat;
        return true;
    }

    public void Dispose()
    {
        foreach (var http in _http.Values)
        {
            http.Dispose();
        }
    }

    private static HttpClient CreateHttpClient(LlmProviderOptions provider)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (provider.Retries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = provider.Retries,
                Delay = provider.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,

                // A server's Retry-After could hold a request for minutes; the configured backoff is what the user asked for.
                ShouldRetryAfterHeader = false,
            });
        }

        pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = provider.Timeout });
        var handler = new ResilienceHandler(pipeline.Build())
        {
            InnerHandler = new SocketsHttpHandler
            {
                AutomaticDecompression = DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            },
        };

        // The resilience pipeline owns timing out (per attempt); HttpClient's own timeout would cut retries short.
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
