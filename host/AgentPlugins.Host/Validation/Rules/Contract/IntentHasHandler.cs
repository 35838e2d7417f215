using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Contract;

/// <summary>AP0007: every intent the role declares has a handler registered with <c>role.Handle&lt;TIntent&gt;</c>.</summary>
internal sealed class IntentHasHandler : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0007", RuleCategory.Contract, "Every role-owned intent has a handler",
        "{0} has no handler; add role.Handle<{0}>(Process{0}) to Register, or the host refuses every {0} the role returns.");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        var handled = role.Registration.IntentHandlers.Select(h => h.IntentType).ToHashSet(SymbolEqualityComparer.Default);
        foreach (var intent in role.Types.Where(t => t.Symbol.IsConcreteIntent()).DistinctBy(t => t.Symbol, SymbolEqualityComparer.Default))
        {
            if (!handled.Contains(intent.Symbol))
            {
                report.Add(Rule, intent.NameLocation, intent.Symbol.Name);
            }
        }
    }
}
