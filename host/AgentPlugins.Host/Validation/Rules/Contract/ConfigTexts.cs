using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Contract;

/// <summary>AP0005: the role says what it does (Description) and when to pick it (WhenToUse), as constant text.</summary>
internal sealed class ConfigTexts : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0005", RuleCategory.Contract, "The role's description and when-to-use are filled in", "{0}");

    private static readonly (string Parameter, string Purpose)[] Texts =
    [
        ("Description", "say in one line what the role does"),
        ("WhenToUse", "tell the router in one line when to pick this role"),
    ];

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var (parameter, purpose) in Texts)
        {
            if (role.Config?.Argument(parameter) is not { } text)
            {
                continue;
            }

            if (!text.IsConstant)
            {
                report.Add(Rule, text.Location, $"Config.{parameter} must be a constant string; {purpose}.");
            }
            else if (string.IsNullOrWhiteSpace(text.Text))
            {
                // Both are required parameters: leaving one out is the compiler's CS7036, which names it.
                report.Add(Rule, text.Location, $"Config.{parameter} is empty; {purpose}.");
            }
        }
    }
}
