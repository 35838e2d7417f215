namespace AgentPlugins.Tests.Validation;

/// <summary>Builds small role files around the code a test is about.</summary>
internal static class RoleText
{
    /// <summary>A complete, clean role whose class body ends with <paramref name="members"/> and whose Register also runs <paramref name="register"/>.</summary>
    public static string With(string members = "", string register = "", string top = "", string name = "probe") => $$"""
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;
        {{top}}
        public sealed class ProbeRole : IRole
        {
            public RoleConfig Config { get; } = new(Name: "{{name}}", Version: "1.0.0", Description: "Probe", WhenToUse: "Tests");

            public void Register(RoleBuilder role)
            {
                role.Tools(this);
                {{register}}
            }

            [KernelFunction("ping"), Description("Answer pong")]
            public ToolResult Ping() => ToolResult.Ok("pong");

        {{members}}
        }
        """;

    /// <summary>The line (1-based) of the first occurrence of <paramref name="text"/> in <paramref name="source"/>.</summary>
    public static int LineOf(string source, string text) =>
        source[..source.IndexOf(text, StringComparison.Ordinal)].Count(c => c == '\n') + 1;
}
