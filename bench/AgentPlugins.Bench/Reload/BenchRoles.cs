namespace AgentPlugins.Bench.Reload;

/// <summary>The sample role the reload measurements edit: a ~40-line role with an event handler, a tool and an intent handler.</summary>
internal static class BenchRoles
{
    public static string Sample(string marker, string name = "sample") => $$"""
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed record SampleIntent(string Text) : Intent
        {
            public override bool Validate() => Text.Length > 0;
        }

        public sealed class SampleRole : IRole
        {
            private const string Marker = "{{marker}}";

            public RoleConfig Config { get; } = new("{{name}}", "1.0.0", "A sample role for the reload benchmark", WhenToUse: "benchmarks");

            public void Register(RoleBuilder role)
            {
                role.On("PING", OnPing);
                role.Tools(this);
                role.Handle<SampleIntent>(HandleAsync);
            }

            private static IEnumerable<Intent> OnPing(BusEvent e, EventContext context) =>
                [new NotificationIntent($"{e.Get("seq")}:{Marker}", "sink")];

            [KernelFunction("say"), Description("Says which version runs")]
            public ToolResult Say([Description("Anything")] string text = "") => ToolResult.Ok(Marker, new SampleIntent(Marker + text));

            private static Task HandleAsync(SampleIntent intent, IntentContext context) => Task.CompletedTask;
        }
        """;
}
