namespace AgentPlugins.Host.Validation;

/// <summary>The groups of role rules, as docs/rules.md orders them.</summary>
internal static class RuleCategory
{
    public const string Contract = "Contract";
    public const string SingleLoop = "SingleLoop";
    public const string UnloadSafety = "UnloadSafety";
    public const string Purity = "Purity";
    public const string Tools = "Tools";
    public const string Size = "Size";
    public const string Events = "Events";
}
