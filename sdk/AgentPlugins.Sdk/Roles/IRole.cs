namespace AgentPlugins.Sdk;

/// <summary>A role: one file that gives an agent its tools, reacts to events and handles its intents.</summary>
public interface IRole
{
    RoleConfig Config { get; }

    /// <summary>Declares the role's event handlers, tools and intent handlers.</summary>
    void Register(RoleBuilder role);
}
