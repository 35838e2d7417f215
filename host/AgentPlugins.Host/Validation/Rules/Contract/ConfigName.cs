using AgentPlugins.Host.Roles;
using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Contract;

/// <summary>
/// AP0003: the role's name is a constant lowercase identifier, so it can be checked (and kept unique)
/// before the role runs. Also reports a Config that is not a <c>new RoleConfig(...)</c> at all.
/// </summary>
internal sealed class ConfigName : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0003", RuleCategory.Contract, "The role's name is a constant lowercase identifier", "{0}");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        if (role.Config is not { } config)
        {
            return;
        }

        if (config.Creation is null)
        {
            report.Add(Rule, config.PropertyLocation, "Config must be initialized with new RoleConfig(Name: \"...\", Version: \"...\", ...) and constant values, so the host can check it before the role runs.");
            return;
        }

        var name = config.Argument("Name")!;
        if (!name.IsConstant)
        {
            report.Add(Rule, name.Location, "Config.Name must be a constant string, so the host can check it (and that it is unique) before the role runs.");
        }
        else if (name.Text is null || !RoleConfigRules.NamePattern().IsMatch(name.Text))
        {
            report.Add(Rule, name.Location, $"Config.Name '{name.Text}' must be a lowercase identifier (a-z, 0-9, _; starting with a letter), e.g. \"timer\".");
        }
    }
}
