using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation;

/// <summary>Builds the Roslyn descriptor of a role rule: its stable code, title, message and where it is explained.</summary>
internal static class RuleDescriptor
{
    /// <summary>Each rule has a section in docs/rules.md, anchored by its code in lower case (<c>#ap0101</c>).</summary>
    public const string HelpBase = "docs/rules.md#";

    public static DiagnosticDescriptor Error(string code, string category, string title, string messageFormat) =>
        Create(code, category, title, messageFormat, DiagnosticSeverity.Error);

    public static DiagnosticDescriptor Warning(string code, string category, string title, string messageFormat) =>
        Create(code, category, title, messageFormat, DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string code, string category, string title, string messageFormat, DiagnosticSeverity severity) =>
        new(code, title, messageFormat, category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + "ap" + code[2..]);
}
