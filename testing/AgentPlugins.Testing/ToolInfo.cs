namespace AgentPlugins.Testing;

/// <summary>A tool as the model sees it: the name it calls, the description it reads, its parameters.</summary>
/// <param name="Name">The snake_case name users and models call (<c>set_timer</c>).</param>
public sealed record ToolInfo(string Name, string Description, IReadOnlyList<ToolParameterInfo> Parameters);

/// <summary>One parameter of a tool, as the model sees it.</summary>
/// <param name="Type">The .NET type name (<c>String</c>, <c>Int32</c>), or null when Semantic Kernel does not know it.</param>
public sealed record ToolParameterInfo(string Name, string Description, bool IsRequired, string? Type, object? DefaultValue);
