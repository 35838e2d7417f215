namespace AgentPlugins.Sdk;

/// <summary>What a role is and when the router should pick it.</summary>
/// <param name="Name">A lowercase identifier, unique among the roles: <c>timer</c>, <c>weather</c>.</param>
/// <param name="Version">Semantic version of the role file.</param>
/// <param name="Description">One line on what the role does.</param>
/// <param name="Llm">The model tier the role's requests run on.</param>
/// <param name="FastReply">True when the role answers directly, without a planning step.</param>
/// <param name="WhenToUse">Guidance for the router.</param>
public sealed record RoleConfig(
    string Name,
    string Version,
    string Description,
    LlmTier Llm = LlmTier.Default,
    bool FastReply = false,
    string WhenToUse = "");
