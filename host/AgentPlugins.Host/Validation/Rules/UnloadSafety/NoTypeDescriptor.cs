using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.UnloadSafety;

/// <summary>AP0204: no <c>TypeDescriptor</c>: its caches hold the role's types for the life of the process.</summary>
internal sealed class NoTypeDescriptor : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0204", RuleCategory.UnloadSafety, "No TypeDescriptor",
        "{0}: TypeDescriptor caches the types it sees for the life of the process, so the role could never unload; convert values yourself (int.TryParse, Enum.TryParse, ...).");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override IEnumerable<string> Triggers => ["TypeDescriptor"];

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var use in role.ApiUses.Where(u => u.TypeName == "System.ComponentModel.TypeDescriptor"))
        {
            report.Add(Rule, use.Operation.Syntax.GetLocation(), use.Display);
        }
    }
}
