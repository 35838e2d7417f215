using AgentPlugins.Tests.Agents;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Workflows;

/// <summary><c>/help</c> lists what can be called directly, and names prompt-only roles apart.</summary>
public sealed class HelpTests
{
    [Fact]
    public async Task Without_a_model_help_lists_tool_roles_and_says_prompt_only_roles_need_one()
    {
        await using var test = await TestRuntime.Create(SampleRoles("timer.cs", "router.cs", "planner.cs")).StartAsync();

        var lines = (await test.AskAsync("/help")).Text.Split(Environment.NewLine);

        Assert.Equal("Roles and their tools (call one with /role tool arguments):", lines[0]);
        Assert.Equal("timer: Timer and alarm management", lines[1]);
        Assert.Contains(lines, l => l.StartsWith("  /timer set_timer <duration> [label] [followUp]", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("router:", StringComparison.Ordinal) || l.StartsWith("planner:", StringComparison.Ordinal));
        Assert.Equal(
            "Prompt-only roles, without tools: planner, router. They answer requests in plain words, which needs a language model; none is configured (plugins.json llm).",
            lines[^1]);
    }

    [Fact]
    public async Task With_only_prompt_only_roles_help_says_there_is_nothing_to_call()
    {
        await using var test = await TestRuntime.Create(SampleRoles("router.cs")).StartAsync();

        var reply = await test.AskAsync("/help");

        Assert.StartsWith("No role has tools to call with /role tool arguments.", reply.Text, StringComparison.Ordinal);
        Assert.EndsWith("Prompt-only roles, without tools: router. They answer requests in plain words, which needs a language model; none is configured (plugins.json llm).", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_model_prompt_only_roles_are_named_without_the_warning()
    {
        await using var agents = await AgentHarness.StartAsync();

        var reply = await agents.AskAsync("/help");

        Assert.Contains("/timer list_timers", reply.Text, StringComparison.Ordinal);
        Assert.EndsWith("Prompt-only roles, without tools: planner, router. They answer requests in plain words.", reply.Text, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> SampleRoles(params string[] files) =>
        files.ToDictionary(file => file, file => File.ReadAllText(Repository.SampleRole(file)));
}
