namespace AgentPlugins.Tests.Support;

/// <summary>Role files that attack the single loop the ways issue 10 lists; each passes <c>host validate</c>.</summary>
internal static class AttackRoles
{
    /// <summary>A tool that never returns: <c>/spin spin</c>.</summary>
    public const string SpinningTool = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class SpinRole : IRole
        {
            public RoleConfig Config { get; } = new("spin", "1.0.0", "Spins in a tool", WhenToUse: "supervision tests");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("spin"), Description("Never returns")]
            public ToolResult Spin()
            {
                for (long i = 0; ; i++)
                {
                    if (i == -1)
                    {
                        break;
                    }
                }

                return ToolResult.Ok("never");
            }
        }
        """;

    /// <summary>A tool that recurses without end: <c>/deep dive</c>.</summary>
    public const string RecursingTool = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class DeepRole : IRole
        {
            public RoleConfig Config { get; } = new("deep", "1.0.0", "Recurses in a tool", WhenToUse: "supervision tests");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("dive"), Description("Recurses until the stack ends")]
            public ToolResult Dive() => ToolResult.Ok($"depth {Down(0)}");

            private static int Down(int depth) => Down(depth + 1) + 1;
        }
        """;

    /// <summary>A ROLE_LOADED handler that recurses without end: the host dies at every start.</summary>
    public const string RecursingOnLoad = """
        using AgentPlugins.Sdk;

        public sealed class BootRole : IRole
        {
            public RoleConfig Config { get; } = new("boot", "1.0.0", "Recurses when roles load", WhenToUse: "supervision tests");

            public void Register(RoleBuilder role) => role.On(Events.RoleLoaded, OnLoaded);

            private static IEnumerable<Intent> OnLoaded(BusEvent e, EventContext context) => [new AuditIntent("loaded", $"{Down(0)}")];

            private static int Down(int depth) => Down(depth + 1) + 1;
        }
        """;

    /// <summary>A ROLE_LOADED handler that never returns: start-up hangs before Ready.</summary>
    public const string SpinningOnLoad = """
        using AgentPlugins.Sdk;

        public sealed class HangRole : IRole
        {
            public RoleConfig Config { get; } = new("hang", "1.0.0", "Spins when roles load", WhenToUse: "supervision tests");

            public void Register(RoleBuilder role) => role.On(Events.RoleLoaded, OnLoaded);

            private static IEnumerable<Intent> OnLoaded(BusEvent e, EventContext context)
            {
                for (long i = 0; ; i++)
                {
                    if (i == -1)
                    {
                        break;
                    }
                }

                return [];
            }
        }
        """;

    /// <summary>An intent handler that yields forever: each turn is short, together they starve the loop. <c>/yielder start</c>.</summary>
    public const string YieldingHandler = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed record YieldIntent(string Label) : Intent
        {
            public override bool Validate() => Label.Length > 0;
        }

        public sealed class YielderRole : IRole
        {
            public RoleConfig Config { get; } = new("yielder", "1.0.0", "Yields forever", WhenToUse: "supervision tests");

            public void Register(RoleBuilder role)
            {
                role.Tools(this);
                role.Handle<YieldIntent>(Run);
            }

            [KernelFunction("start"), Description("Starts yielding")]
            public ToolResult Start() => ToolResult.Ok("yielding", new YieldIntent("go"));

            private static async Task Run(YieldIntent intent, IntentContext context)
            {
                while (!context.Cancellation.IsCancellationRequested)
                {
                    await Task.Yield();
                }
            }
        }
        """;
}
