namespace AgentPlugins.Testing;

/// <summary>What a role declared in <c>Register</c>, as the host reads it.</summary>
/// <param name="Events">The event types it handles, one entry per <c>role.On</c> call, in order.</param>
/// <param name="Tools">Its tools, by name.</param>
/// <param name="IntentTypes">The intent types it handles (<c>role.Handle&lt;T&gt;</c>), by type name.</param>
/// <param name="Prompt">Its instructions to the model (<c>role.Prompt</c>), or null.</param>
/// <param name="HasPreProcessor">True when it registered <c>role.PreProcess</c>.</param>
/// <param name="HasPostProcessor">True when it registered <c>role.PostProcess</c>.</param>
public sealed record RoleRegistration(
    IReadOnlyList<string> Events,
    IReadOnlyList<ToolInfo> Tools,
    IReadOnlyList<string> IntentTypes,
    string? Prompt,
    bool HasPreProcessor,
    bool HasPostProcessor)
{
    /// <summary>The tool named <paramref name="name"/> (<c>set_timer</c> or <c>SetTimer</c>, any case).</summary>
    /// <exception cref="ArgumentException">There is none; the message lists the role's tools.</exception>
    public ToolInfo Tool(string name) =>
        Tools.FirstOrDefault(t => Normalize(t.Name) == Normalize(name))
        ?? throw new ArgumentException($"The role has no tool '{name}'. Its tools: {(Tools.Count == 0 ? "none" : string.Join(", ", Tools.Select(t => t.Name)))}.", nameof(name));

    private static string Normalize(string name) => name.Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
}
