using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.UnloadSafety;

/// <summary>
/// AP0201: no static state that changes: non-readonly static fields, static properties with a setter,
/// and static readonly collections that are filled at run time.
/// </summary>
internal sealed class NoMutableStatics : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0201", RuleCategory.UnloadSafety, "No mutable static state",
        "{0} is mutable static state: it is lost on every reload, and whatever it holds keeps the role's context alive. Roles keep no state between calls: use the host's services from an intent handler; for a constant table declare it static readonly IReadOnlyDictionary/IReadOnlyList (or make it const).");

    private static readonly HashSet<string> MutableCollections = new(
    [
        "System.Collections.Generic.List",
        "System.Collections.Generic.Dictionary",
        "System.Collections.Generic.HashSet",
        "System.Collections.Generic.Queue",
        "System.Collections.Generic.Stack",
        "System.Collections.Generic.LinkedList",
        "System.Collections.Generic.SortedDictionary",
        "System.Collections.Generic.SortedList",
        "System.Collections.Generic.SortedSet",
        "System.Collections.Generic.PriorityQueue",
        "System.Collections.Concurrent.ConcurrentDictionary",
        "System.Collections.Concurrent.ConcurrentQueue",
        "System.Collections.Concurrent.ConcurrentStack",
        "System.Collections.Concurrent.ConcurrentBag",
        "System.Collections.Concurrent.BlockingCollection",
        "System.Collections.ArrayList",
        "System.Collections.Hashtable",
        "System.Text.StringBuilder",
    ], StringComparer.Ordinal);

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var member in role.Members.Where(m => m.Modifiers.Any(SyntaxKind.StaticKeyword)))
        {
            switch (member)
            {
                case FieldDeclarationSyntax field when !field.Modifiers.Any(SyntaxKind.ConstKeyword):
                    foreach (var variable in field.Declaration.Variables)
                    {
                        if (role.Model.GetDeclaredSymbol(variable, role.Cancellation) is IFieldSymbol symbol && IsMutable(role, symbol.IsReadOnly, symbol.Type))
                        {
                            report.Add(Rule, variable.Identifier.GetLocation(), symbol.Name);
                        }
                    }

                    break;
                case PropertyDeclarationSyntax property when role.Model.GetDeclaredSymbol(property, role.Cancellation) is { } symbol:
                    var readOnly = symbol.SetMethod is null || symbol.SetMethod.IsInitOnly;
                    if (IsMutable(role, readOnly, symbol.Type))
                    {
                        report.Add(Rule, property.Identifier.GetLocation(), symbol.Name);
                    }

                    break;
            }
        }
    }

    private static bool IsMutable(RoleSource role, bool readOnly, ITypeSymbol type) =>
        !readOnly || (type is INamedTypeSymbol named && MutableCollections.Contains(role.FullName(named.OriginalDefinition)));
}
