using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.UnloadSafety;

/// <summary>
/// AP0201: no static state that changes: non-readonly static fields, static properties with a setter,
/// and static readonly fields or properties that hold an array or a mutable collection, whose content
/// can grow or change at run time however readonly the field is.
/// </summary>
internal sealed class NoMutableStatics : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0201", RuleCategory.UnloadSafety, "No mutable static state",
        "{0} is mutable static state{1}: it is lost on every reload, and whatever it holds keeps the role's context alive. Roles keep no state between calls: use the host's services from an intent handler; for a constant table declare it static readonly IReadOnlyList/IReadOnlyDictionary of immutable values, ImmutableArray or FrozenDictionary (or make it const).");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        var reported = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var member in role.Members.Where(m => m.Modifiers.Any(SyntaxKind.StaticKeyword)))
        {
            switch (member)
            {
                case FieldDeclarationSyntax field when !field.Modifiers.Any(SyntaxKind.ConstKeyword):
                    foreach (var variable in field.Declaration.Variables)
                    {
                        if (role.Model.GetDeclaredSymbol(variable, role.Cancellation) is IFieldSymbol symbol && Mutability(role, symbol.IsReadOnly, symbol.Type) is { } why)
                        {
                            reported.Add(symbol);
                            report.Add(Rule, variable.Identifier.GetLocation(), symbol.Name, why);
                        }
                    }

                    break;
                case PropertyDeclarationSyntax property when StoresValue(property) && role.Model.GetDeclaredSymbol(property, role.Cancellation) is { } symbol:
                    var readOnly = symbol.SetMethod is null || symbol.SetMethod.IsInitOnly;
                    if (Mutability(role, readOnly, symbol.Type) is { } reason)
                    {
                        report.Add(Rule, property.Identifier.GetLocation(), symbol.Name, reason);
                    }

                    break;
            }
        }

        // A table declared read-only and cast back to its mutable type is filled like any list.
        foreach (var (field, syntax, target) in MutableCasts.In(role).Where(c => c.Field.IsStatic))
        {
            if (reported.Add(field))
            {
                report.Add(Rule, syntax.GetLocation(), field.Name, $" (declared {MutableTypes.Display(field.Type)}, but cast back to {MutableTypes.Display(target)} here)");
            }
        }
    }

    // Null when immutable; else the words the message adds after "mutable static state".
    private static string? Mutability(RoleSource role, bool readOnly, ITypeSymbol type)
    {
        if (!readOnly)
        {
            return string.Empty;
        }

        return MutableTypes.MutablePart(role, type) is { } part
            ? $" (readonly, but the {MutableTypes.Display(part)} it holds can change)"
            : null;
    }

    // An auto-property keeps a value; a computed one (`=> new List<T>()`) makes a new one on every read.
    private static bool StoresValue(PropertyDeclarationSyntax property) =>
        property.ExpressionBody is null
        && property.AccessorList is { } accessors
        && accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null);
}
