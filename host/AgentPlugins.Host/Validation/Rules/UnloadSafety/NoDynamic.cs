using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.UnloadSafety;

/// <summary>AP0203: no <c>dynamic</c>: the runtime binder caches the role's types for the life of the process.</summary>
internal sealed class NoDynamic : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0203", RuleCategory.UnloadSafety, "No dynamic",
        "dynamic makes the runtime binder cache the role's types for the life of the process, so the role could never unload; use a concrete type (or read BusEvent data with e.Get(key)).");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        // `dynamic` is a contextual keyword: find the word first, then ask whether it means the type.
        foreach (var name in role.Nodes.OfType<IdentifierNameSyntax>().Where(n => n.Identifier.ValueText == "dynamic"))
        {
            if (role.Model.GetTypeInfo(name, role.Cancellation).Type is { TypeKind: TypeKind.Dynamic })
            {
                report.Add(Rule, name.GetLocation());
            }
        }
    }
}
