using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.UnloadSafety;

/// <summary>
/// Finds a field of the role file turned back into a mutable type: <c>(List&lt;T&gt;)Table</c>,
/// <c>Table as Dictionary&lt;K, V&gt;</c>, <c>Table is List&lt;T&gt; list</c>. A table declared read-only
/// and then cast to what it really is can be filled like any list; that is the state the declared
/// type promised not to hold.
/// </summary>
/// <remarks>Found by syntax first: only conversions whose operand names a field of the file are bound.</remarks>
internal static class MutableCasts
{
    /// <summary>Each conversion of a field of the file to a type <see cref="MutableTypes"/> recognises.</summary>
    public static IEnumerable<(IFieldSymbol Field, SyntaxNode Syntax, ITypeSymbol Target)> In(RoleSource role)
    {
        var fields = role.Types
            .SelectMany(t => t.Symbol.GetMembers().OfType<IFieldSymbol>())
            .Where(f => !f.IsImplicitlyDeclared && !f.IsConst)
            .Select(f => f.Name)
            .ToHashSet(StringComparer.Ordinal);
        if (fields.Count == 0)
        {
            return [];
        }

        return role.Nodes.Select(Conversion).OfType<(ExpressionSyntax Operand, TypeSyntax Type, SyntaxNode Where)>()
            .Select(c => (Operand: Unparenthesized(c.Operand), c.Type, c.Where))
            .Where(c => Name(c.Operand) is { } name && fields.Contains(name))
            .Select(c => (Field: role.Model.GetSymbolInfo(c.Operand, role.Cancellation).Symbol?.OriginalDefinition as IFieldSymbol, c.Where, Target: role.Model.GetTypeInfo(c.Type, role.Cancellation).Type))
            .Where(c => c.Field is not null && c.Target is not null && role.IsDeclaredHere(c.Field) && MutableTypes.MutablePart(role, c.Target) is not null)
            .Select(c => (c.Field!, c.Where, c.Target!))
            .ToList();
    }

    // The conversions that hand back a reference of the mutable type (a type test alone, `x is List<T>`, does not).
    private static (ExpressionSyntax Operand, TypeSyntax Type, SyntaxNode Where)? Conversion(SyntaxNode node) => node switch
    {
        CastExpressionSyntax cast => (cast.Expression, cast.Type, cast),
        BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AsExpression, Right: TypeSyntax type } @as => (@as.Left, type, @as),
        IsPatternExpressionSyntax { Pattern: DeclarationPatternSyntax declaration } pattern => (pattern.Expression, declaration.Type, pattern),
        IsPatternExpressionSyntax { Pattern: RecursivePatternSyntax { Type: { } type, Designation: not null } } pattern => (pattern.Expression, type, pattern),
        _ => null,
    };

    private static ExpressionSyntax Unparenthesized(ExpressionSyntax expression) =>
        expression is ParenthesizedExpressionSyntax parenthesized ? Unparenthesized(parenthesized.Expression) : expression;

    private static string? Name(ExpressionSyntax operand) => operand switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        _ => null,
    };
}
