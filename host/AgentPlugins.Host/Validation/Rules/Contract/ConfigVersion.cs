using AgentPlugins.Host.Roles;
using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Contract;

/// <summary>AP0004: the role's version is a constant semantic version.</summary>
internal sealed class ConfigVersion : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0004", RuleCategory.Contract, "The role's version is a semantic version", "{0}");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        if (role.Config?.Argument("Version") is not { } version)
        {
            return;
        }

        if (!version.IsConstant)
        {
            report.Add(Rule, version.Location, "Config.Version must be a constant string, e.g. \"1.0.0\".");
        }
        else if (version.Text is null || !RoleConfigRules.SemVerPattern().IsMatch(version.Text))
        {
            report.Add(Rule, version.Location, $"Config.Version '{version.Text}' must be a semantic version (MAJOR.MINOR.PATCH), e.g. \"1.0.0\".");
        }
    }
}
