namespace AgentPlugins.Sdk;

/// <summary>How urgent a notification or a workflow is.</summary>
public enum Priority
{
    Low,
    Medium,
    High,
}
