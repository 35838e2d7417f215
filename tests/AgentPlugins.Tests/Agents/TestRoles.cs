namespace AgentPlugins.Tests.Agents;

/// <summary>Role files written for the agent tests, beside the repository's router, planner and timer.</summary>
internal static class TestRoles
{
    /// <summary>Default tier. Tells on which thread its tool runs, and has a tool that always throws.</summary>
    public const string Probe = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class ProbeRole : IRole
        {
            public RoleConfig Config { get; } = new("probe", "1.0.0", "Answers questions about the host", Llm: LlmTier.Default, FastReply: true, WhenToUse: "Questions about threads and the host");

            public void Register(RoleBuilder role) => role.Prompt("You are the probe.").Tools(this);

            [KernelFunction("where_am_i"), Description("Says which thread the tool runs on")]
            public ToolResult WhereAmI() => ToolResult.Ok($"thread {Environment.CurrentManagedThreadId}");

            [KernelFunction("explode"), Description("Always fails")]
            public ToolResult Explode() => throw new InvalidOperationException("boom");
        }
        """;

    /// <summary>Strong tier, no tools: answers from the model alone.</summary>
    public const string Scholar = """
        using AgentPlugins.Sdk;

        public sealed class ScholarRole : IRole
        {
            public RoleConfig Config { get; } = new("scholar", "1.0.0", "Explains hard things", Llm: LlmTier.Strong, FastReply: true, WhenToUse: "Long explanations");

            public void Register(RoleBuilder role) => role.Prompt("You are the scholar.");
        }
        """;

    /// <summary>Weak tier. Its tool starts another request, which routes here again: a loop the depth limit must stop.</summary>
    public const string Looper = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class LooperRole : IRole
        {
            public RoleConfig Config { get; } = new("looper", "1.0.0", "Does it again", Llm: LlmTier.Weak, FastReply: true, WhenToUse: "Doing things again");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("again"), Description("Asks for the same again")]
            public ToolResult Again() => ToolResult.Ok("again", new WorkflowIntent("again", "do it again"));
        }
        """;

    /// <summary>Default tier. Its pre-processor adds data to the prompt, its post-processor shouts the answer; both say their thread.</summary>
    public const string Weather = """
        using AgentPlugins.Sdk;

        public sealed class WeatherRole : IRole
        {
            public RoleConfig Config { get; } = new("weather", "1.0.0", "Weather reports", Llm: LlmTier.Default, FastReply: true, WhenToUse: "Weather questions");

            public void Register(RoleBuilder role)
            {
                role.Prompt("You report the weather.");
                role.PreProcess(Fetch);
                role.PostProcess(Shout);
            }

            private static async Task<string> Fetch(PromptContext context)
            {
                await Task.Yield();
                var city = context.Parameters.TryGetValue("city", out var c) ? c : "nowhere";
                return $"Weather data for {city}: sunny, 21 C (fetched on thread {Environment.CurrentManagedThreadId}).";
            }

            private static Task<string> Shout(string answer, PromptContext context) =>
                Task.FromResult($"{answer.ToUpperInvariant()} [post on thread {Environment.CurrentManagedThreadId}]");
        }
        """;

    /// <summary>A role whose one tool's name and message change between versions, for reload tests.</summary>
    public static string Switch(string tool) => $$"""
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class SwitchRole : IRole
        {
            public RoleConfig Config { get; } = new("switch", "1.0.0", "Flips switches", Llm: LlmTier.Weak, FastReply: true, WhenToUse: "Switches");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("{{tool}}"), Description("Flips a switch")]
            public ToolResult Flip() => ToolResult.Ok("flipped by {{tool}}");
        }
        """;
}
