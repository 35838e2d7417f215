namespace AgentPlugins.Sdk;

/// <summary>The model tier a role runs on; plugins.json maps each tier to a model.</summary>
public enum LlmTier
{
    Weak,
    Default,
    Strong,
}
