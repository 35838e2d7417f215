namespace AgentPlugins.Sdk;

/// <summary>What a role is and when the router should pick it.</summary>
/// <param name="Name">A lowercase identifier, unique among the roles: <c>timer</c>, <c>weather</c>.</param>
/// <param name="Version">Semantic version of the role file.</param>
/// <param name="Description">One line on what the role does.</param>
/// <param name="WhenToUse">One line telling the router when to pick the role. Required: without it the router cannot choose the role.</param>
/// <param name="Llm">The model tier the role's requests run on.</param>
/// <param name="FastReply">True when the role answers directly, without a planning step.</param>
public sealed record RoleConfig(
    string Name,
    string Version,
    string Description,
    string WhenToUse,
    LlmTier Llm = LlmTier.Default,
    bool FastReply = false);
