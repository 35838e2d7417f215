using System.ComponentModel;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Tests.Testing;

/// <summary>A role compiled with the test project, as a compiled plugin's would be.</summary>
public sealed class CompiledGreeter(string name = "greeter") : IRole
{
    public RoleConfig Config { get; } = new(name, "1.0.0", "Greets", "Greet someone");

    public void Register(RoleBuilder role) => role.Tools(this);

    [KernelFunction("greet"), Description("Greets someone")]
    public static ToolResult Greet([Description("Who")] string name) => ToolResult.Ok($"Hello, {name}.");
}
