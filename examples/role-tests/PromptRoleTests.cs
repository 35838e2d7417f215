using AgentPlugins.Testing;

namespace RoleTests;

// The router and the planner are prompt-only roles: no tools, no events, only instructions the host
// gives the model. What can be tested without a model is that they load, what they declare, and
// the promises their prompts make to the host.
public sealed class PromptRoleTests
{
    [Theory]
    [InlineData("router.cs", "router")]
    [InlineData("planner.cs", "planner")]
    public async Task Loads_as_a_prompt_only_role(string file, string name)
    {
        using var role = await RoleHarness.LoadAsync(RoleFiles.Path(file));

        Assert.Equal(name, role.Config.Name);
        Assert.Empty(role.Registration.Tools);
        Assert.Empty(role.Registration.Events);
        Assert.Empty(role.Registration.IntentTypes);
        Assert.False(string.IsNullOrWhiteSpace(role.Registration.Prompt));
        Assert.False(role.Registration.HasPreProcessor);
        Assert.Empty(role.Warnings);
    }

    [Fact]
    public async Task The_router_answers_plan_when_no_role_fits()
    {
        using var router = await RoleHarness.LoadAsync(RoleFiles.Path("router.cs"));

        Assert.Contains("\"plan\"", router.Registration.Prompt, StringComparison.Ordinal);
        Assert.Equal(AgentPlugins.Sdk.LlmTier.Weak, router.Config.Llm);
    }

    [Fact]
    public async Task The_planner_runs_on_the_strong_tier_and_names_dependencies()
    {
        using var planner = await RoleHarness.LoadAsync(RoleFiles.Path("planner.cs"));

        Assert.Equal(AgentPlugins.Sdk.LlmTier.Strong, planner.Config.Llm);
        Assert.Contains("dependsOn", planner.Registration.Prompt, StringComparison.Ordinal);
    }
}
