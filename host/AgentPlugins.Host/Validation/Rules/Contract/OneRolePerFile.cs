using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AgentPlugins.Host.Validation.Rules.Contract;

/// <summary>AP0001: a role file declares exactly one class implementing <c>IRole</c>.</summary>
internal sealed class OneRolePerFile : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0001", RuleCategory.Contract, "A role file declares exactly one role", "{0}");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        var roles = role.Roles.ToList();
        if (roles.Count == 0)
        {
            var where = role.Types.Count > 0 ? role.Types[0].NameLocation : Location.Create(role.Tree, new TextSpan(0, 0));
            report.Add(Rule, where, "The file declares no class implementing IRole; a role file holds exactly one role class (see `host new role NAME`).");
            return;
        }

        foreach (var extra in roles.Skip(1))
        {
            report.Add(Rule, extra.NameLocation, $"{extra.Symbol.Name} is a second IRole in this file (after {roles[0].Symbol.Name}); a role file holds exactly one role: move {extra.Symbol.Name} to its own file.");
        }
    }
}
