using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Tools;

/// <summary>AP0405: a type with <c>[KernelFunction]</c> methods is passed to <c>role.Tools(...)</c>; otherwise no one can call them.</summary>
internal sealed class ToolsRegistered : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Warning(
        "AP0405", RuleCategory.Tools, "Declared tools are registered",
        "{0} declares tools ({1}) but Register never passes it to role.Tools(...), so neither the model nor a /command can call them; add role.Tools(this) (or remove [KernelFunction]).");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        var registered = role.Registration.Tools.Select(t => t.Type).OfType<ITypeSymbol>().ToList();
        foreach (var owner in role.ToolMethods.GroupBy(t => t.ContainingType, SymbolEqualityComparer.Default))
        {
            var type = (INamedTypeSymbol)owner.Key!;
            if (!registered.Any(r => Covers(r, type)))
            {
                var where = role.Types.FirstOrDefault(t => SymbolEqualityComparer.Default.Equals(t.Symbol, type))?.NameLocation ?? type.Locations[0];
                report.Add(Rule, where, type.Name, string.Join(", ", owner.Select(t => t.Name)));
            }
        }
    }

    // role.Tools(x) exposes the tools of x's run-time type, which is the registered type or derives from it.
    private static bool Covers(ITypeSymbol registered, INamedTypeSymbol owner)
    {
        for (ITypeSymbol? type = registered; type is not null; type = type.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(type, owner))
            {
                return true;
            }
        }

        return false;
    }
}
