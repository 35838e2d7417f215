using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// Reads plugins.json <c>llm</c> into one <see cref="ModelTier"/> per configured tier. Everything that
/// can be known before a request is checked here, at start-up: a tier naming an unknown provider or a
/// model the provider does not list, an endpoint that is not an http(s) address, an API key variable
/// that is not set. Each problem names its key.
/// </summary>
internal sealed class ModelTiers
{
    private readonly Dictionary<LlmTier, ModelTier> _tiers;

    private ModelTiers(Dictionary<LlmTier, ModelTier> tiers, LlmOptions options)
    {
        _tiers = tiers;
        Options = options;
    }

    public LlmOptions Options { get; }

    public IReadOnlyCollection<ModelTier> All => _tiers.Values;

    public static string KeyOf(LlmTier tier) => $"llm:tiers:{tier.ToString().ToLowerInvariant()}";

    /// <exception cref="ConfigurationException">A key holds a value the host cannot use; the message names it.</exception>
    public static ModelTiers Resolve(LlmOptions options, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var routing = options.Routing;
        Require(problems, routing.Threshold is >= 0 and <= 1, "llm:routing:threshold", "must be a number from 0 to 1.");
        Require(problems, routing.MaxPlanSteps > 0, "llm:routing:maxPlanSteps", "must be a positive number.");
        Require(problems, routing.MaxToolRounds > 0, "llm:routing:maxToolRounds", "must be a positive number.");
        Require(problems, routing.MaxDepth >= 0, "llm:routing:maxDepth", "must be zero or more.");
        Require(problems, !string.IsNullOrWhiteSpace(routing.Router), "llm:routing:router", "must name the router role.");
        Require(problems, !string.IsNullOrWhiteSpace(routing.Planner), "llm:routing:planner", "must name the planner role.");
        Require(problems, options.Conversation.MaxTurns >= 0, "llm:conversation:maxTurns", "must be zero or more.");

        var keys = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, provider) in options.Providers)
        {
            var key = $"llm:providers:{name}";
            Require(problems, Uri.TryCreate(provider.Endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https", $"{key}:endpoint", $"'{provider.Endpoint}' must be an http(s) address, e.g. \"http://localhost:11434/v1\".");
            Require(problems, provider.Timeout > TimeSpan.Zero, $"{key}:timeout", "must be a positive time span, e.g. \"00:01:00\".");
            Require(problems, provider.Retries >= 0, $"{key}:retries", "must be zero or more.");
            Require(problems, provider.RetryDelay >= TimeSpan.Zero, $"{key}:retryDelay", "must be a time span, e.g. \"00:00:01\".");
            if (provider.ApiKeyVariable is { } variable)
            {
                var value = environment(variable);
                Require(problems, !string.IsNullOrWhiteSpace(value), $"{key}:apiKeyVariable", $"names the environment variable '{variable}', which is not set; set it to the provider's API key, or remove the key for a server that needs none.");
                keys[name] = value;
            }
        }

        var tiers = new Dictionary<LlmTier, ModelTier>();
        foreach (var (tier, tierOptions) in new[] { (LlmTier.Weak, options.Tiers.Weak), (LlmTier.Default, options.Tiers.Default), (LlmTier.Strong, options.Tiers.Strong) })
        {
            if (tierOptions is null)
            {
                continue;
            }

            var key = KeyOf(tier);
            if (!options.Providers.TryGetValue(tierOptions.Provider, out var provider))
            {
                problems.Add($"'{key}:provider' names '{tierOptions.Provider}', which is not under llm:providers (known: {Known(options.Providers.Keys)}).");
                continue;
            }

            if (string.IsNullOrWhiteSpace(tierOptions.Model))
            {
                problems.Add($"'{key}:model' must name a model id.");
                continue;
            }

            if (provider.Models.Count > 0 && !provider.Models.Contains(tierOptions.Model, StringComparer.Ordinal))
            {
                problems.Add($"'{key}:model' is '{tierOptions.Model}', which llm:providers:{tierOptions.Provider}:models does not list (listed: {Known(provider.Models)}).");
                continue;
            }

            if (Uri.TryCreate(provider.Endpoint, UriKind.Absolute, out var endpoint))
            {
                tiers[tier] = new ModelTier(tier, tierOptions.Provider, provider, endpoint, tierOptions.Model, keys.GetValueOrDefault(tierOptions.Provider));
            }
        }

        if (problems.Count > 0)
        {
            throw new ConfigurationException(string.Join(" ", problems));
        }

        return new ModelTiers(tiers, options);
    }

    /// <summary>The tier's model; false with a message naming the missing key when nobody configured it.</summary>
    public bool TryGet(LlmTier tier, string role, out ModelTier? model, out string error)
    {
        if (_tiers.TryGetValue(tier, out model))
        {
            error = string.Empty;
            return true;
        }

        error = $"Role '{role}' runs on the {tier.ToString().ToLowerInvariant()} tier, but plugins.json has no '{KeyOf(tier)}' (give it a provider and a model).";
        return false;
    }

    private static void Require(List<string> problems, bool condition, string key, string problem)
    {
        if (!condition)
        {
            problems.Add($"'{key}' {problem}");
        }
    }

    private static string Known(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
