using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Tools;

/// <summary>AP0401: every tool says what it does in <c>[Description]</c>; the model picks tools by it.</summary>
internal sealed class ToolDescription : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0401", RuleCategory.Tools, "Every tool has a description",
        "Tool {0} has no description; add [Description(\"what it does, in one line\")] next to [KernelFunction]: the model picks tools by their description.");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var tool in role.ToolMethods)
        {
            if (string.IsNullOrWhiteSpace(KnownSymbols.DescriptionOf(tool)))
            {
                report.Add(Rule, tool.Locations[0], tool.Name);
            }
        }
    }
}
