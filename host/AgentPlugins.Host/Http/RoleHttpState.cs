using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace AgentPlugins.Host.Http;

/// <summary>
/// One role's HTTP client as configured now: its options, a version that changes with them (it names
/// the factory's client, so a change gets new handlers), and its resilience pipeline, kept here so the
/// circuit breaker remembers failures across the factory's handler rotations.
/// </summary>
internal sealed record RoleHttpState(string Role, RoleHttpOptions Options, int Version)
{
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);

    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(15);

    // Half of at least ten calls in 30 s failing opens the circuit for 15 s: a dead API is not hammered.
    private static readonly HttpCircuitBreakerStrategyOptions CircuitBreaker = new()
    {
        FailureRatio = 0.5,
        MinimumThroughput = 10,
        SamplingDuration = TimeSpan.FromSeconds(30),
        BreakDuration = BreakDuration,
    };


    /// <summary>The factory's name for this client; the read-only one (tools) is apart.</summary>
    public string ClientName(bool readOnly) => $"role.{Role}.{Version}{(readOnly ? ".read" : string.Empty)}";

    /// <summary>Retries (safe methods only), then the circuit breaker, then the per-attempt timeout.</summary>
    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; } = Build(Options);

    private static ResiliencePipeline<HttpResponseMessage> Build(RoleHttpOptions options)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.Retries > 0)
        {
            var retry = new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.Retries,
                Delay = FirstRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,

                // A server's Retry-After could hold a role's call for minutes; the configured backoff is what the user asked for.
                ShouldRetryAfterHeader = false,
            };

            // A POST that timed out may have been carried out: sending it again could switch a light twice.
            retry.DisableForUnsafeHttpMethods();
            builder.AddRetry(retry);
        }

        builder.AddCircuitBreaker(CircuitBreaker);
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.Timeout });
        return builder.Build();
    }
}
