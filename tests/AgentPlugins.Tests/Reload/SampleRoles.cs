namespace AgentPlugins.Tests.Reload;

/// <summary>Role sources for reload tests; each version answers with its marker, so a reply says which generation ran.</summary>
internal static class SampleRoles
{
    /// <summary>An "echo" role: on PING it notifies the <c>sink</c> channel with "seq:marker"; its tool <c>say</c> answers the marker.</summary>
    public static string Echo(string marker, string name = "echo") => $$"""
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class EchoRole : IRole
        {
            private const string Marker = "{{marker}}";

            public RoleConfig Config { get; } = new("{{name}}", "1.0.0", "Echoes pings with its marker", WhenToUse: "reload tests");

            public void Register(RoleBuilder role)
            {
                role.On("PING", OnPing);
                role.Tools(this);
            }

            private static IEnumerable<Intent> OnPing(BusEvent e, EventContext context) =>
                [new NotificationIntent($"{e.Get("seq")}:{Marker}", "sink")];

            [KernelFunction("say"), Description("Says which version runs")]
            public ToolResult Say() => ToolResult.Ok(Marker);
        }
        """;

    /// <summary>The echo role as a <c>.csx</c> script: same contract, script kind.</summary>
    public static string EchoScript(string marker) => $$"""
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class EchoScriptRole : IRole
        {
            public RoleConfig Config { get; } = new("echo_script", "1.0.0", "Echoes pings from a script", WhenToUse: "reload tests");

            public void Register(RoleBuilder role)
            {
                role.On("PING", (e, context) => [new NotificationIntent($"{e.Get("seq")}:{{marker}}", "sink")]);
                role.Tools(this);
            }

            [KernelFunction("say"), Description("Says which version runs")]
            public ToolResult Say() => ToolResult.Ok("{{marker}}");
        }
        """;

    /// <summary>An echo role whose Register throws.</summary>
    public static string RegisterThrows => """
        using AgentPlugins.Sdk;

        public sealed class EchoRole : IRole
        {
            public RoleConfig Config { get; } = new("echo", "1.0.0", "Broken", WhenToUse: "reload tests");

            public void Register(RoleBuilder role) => throw new InvalidOperationException("cannot register");
        }
        """;

    /// <summary>An echo role whose config is invalid (no description, a version that is not semantic).</summary>
    public static string InvalidConfig => """
        using AgentPlugins.Sdk;

        public sealed class EchoRole : IRole
        {
            public RoleConfig Config { get; } = new("echo", "one", "", WhenToUse: "reload tests");

            public void Register(RoleBuilder role) => role.On("PING", (e, context) => []);
        }
        """;

    /// <summary>The echo role with a compile error on line 9 (an undefined name).</summary>
    public static string CompileError => """
        using AgentPlugins.Sdk;

        public sealed class EchoRole : IRole
        {
            public RoleConfig Config { get; } = new("echo", "1.0.0", "Broken", WhenToUse: "reload tests");

            public void Register(RoleBuilder role)
            {
                role.On("PING", UndefinedHandler);
            }
        }
        """;
}
