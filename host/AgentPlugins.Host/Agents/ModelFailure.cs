using System.Net;
using Microsoft.SemanticKernel;
using Polly.Timeout;

namespace AgentPlugins.Host.Agents;

/// <summary>Says in one line why a model call failed, naming the plugins.json key to look at.</summary>
internal static class ModelFailure
{
    public static string Describe(Exception failure, ModelTier tier)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var model = $"model '{tier.Model}' ({tier.Key}) at {tier.Endpoint}";
        var retried = tier.Provider.Retries > 0 ? $" after {tier.Provider.Retries + 1} attempts" : string.Empty;
        for (var cause = failure; cause is not null; cause = cause.InnerException)
        {
            switch (cause)
            {
                case TimeoutRejectedException:
                    return $"The {model} did not answer within {tier.Provider.Timeout.TotalSeconds:0.###} s{retried} (llm:providers:{tier.ProviderName}:timeout).";
                case HttpOperationException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } http:
                    return $"The {model} refused the API key ({(int)http.StatusCode}); check llm:providers:{tier.ProviderName}:apiKeyVariable{(tier.Provider.ApiKeyVariable is { } v ? $" ({v})" : string.Empty)}.";
                case HttpOperationException { StatusCode: HttpStatusCode.NotFound }:
                    return $"The {model} answered 404: the endpoint or model id is wrong ({tier.EndpointKey}, {tier.Key}:model).";
                case HttpOperationException { StatusCode: { } status } http:
                    return $"The {model} failed with HTTP {(int)status}{(IsTransient(status) ? retried : string.Empty)}: {FirstLine(http.ResponseContent ?? http.Message)}";
                case HttpRequestException request:
                    return $"Cannot reach the {model}{retried}: {request.Message} (check {tier.EndpointKey}).";
            }
        }

        return $"The {model} failed: {failure.GetType().Name}: {failure.Message}";
    }

    private static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length <= 300 ? line : line[..300] + "...";
    }
}
