using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Agents;

/// <summary>One tier resolved from plugins.json: where its model runs and how to reach it.</summary>
/// <param name="Tier">The tier.</param>
/// <param name="ProviderName">The name under <c>llm:providers</c>, for messages.</param>
/// <param name="Provider">The provider's options.</param>
/// <param name="Endpoint">The provider's base address.</param>
/// <param name="Model">The model id requested.</param>
/// <param name="ApiKey">The key read from the provider's environment variable, or null when it needs none.</param>
internal sealed record ModelTier(
    LlmTier Tier,
    string ProviderName,
    LlmProviderOptions Provider,
    Uri Endpoint,
    string Model,
    string? ApiKey)
{
    /// <summary>The plugins.json key of this tier: <c>llm:tiers:weak</c>.</summary>
    public string Key => ModelTiers.KeyOf(Tier);

    /// <summary>The plugins.json key of the provider's endpoint, for messages about reaching it.</summary>
    public string EndpointKey => $"llm:providers:{ProviderName}:endpoint";
}
