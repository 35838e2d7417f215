using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.UnloadSafety;

/// <summary>
/// AP0207: the role instance keeps no state: no field or auto-property of the role assigned outside
/// its constructor, and none holding an array or a mutable collection. The instance lives exactly as
/// long as its generation, like a static, and every call (interleaving at its awaits) shares it.
/// </summary>
/// <remarks>Writes are found by syntax first (assignments, <c>++</c>/<c>--</c>, <c>ref</c>/<c>out</c>), so only those naming one of the role's fields are bound.</remarks>
internal sealed class NoMutableRoleState : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0207", RuleCategory.UnloadSafety, "No mutable state on the role instance",
        "{0}: it is lost on every reload and shared by every call, including calls that interleave at an await. Keep what must last in the role's durable store (context.Store), read and written from an intent handler; a constant table belongs in a static readonly IReadOnlyList/IReadOnlyDictionary of immutable values.");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        var state = new Dictionary<ISymbol, INamedTypeSymbol>(SymbolEqualityComparer.Default);
        foreach (var type in role.Roles.Select(r => r.Symbol))
        {
            foreach (var member in type.GetMembers().Where(m => !m.IsStatic && !m.IsImplicitlyDeclared && role.IsDeclaredHere(m)))
            {
                if (member is IFieldSymbol { IsConst: false } or IPropertySymbol { IsIndexer: false } && StoresValue(member, role.Cancellation))
                {
                    state[member] = type;
                }
            }
        }

        if (state.Count == 0)
        {
            return;
        }

        var reported = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var (member, _) in state)
        {
            if (MutableTypes.MutablePart(role, TypeOf(member)) is { } part && reported.Add(member))
            {
                report.Add(Rule, member.Locations[0], $"{Kind(member)} {member.Name} of the role holds {Article(part)}{MutableTypes.Display(part)}, which can change");
            }
        }

        foreach (var (field, syntax, target) in MutableCasts.In(role))
        {
            if (state.ContainsKey(field) && reported.Add(field))
            {
                report.Add(Rule, syntax.GetLocation(), $"Field {field.Name} of the role is cast to {MutableTypes.Display(target)} in {MemberName(syntax)}, which can change");
            }
        }

        var names = state.Keys.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var target in role.Nodes.SelectMany(WriteTargets))
        {
            if (NameOf(target) is not { } name || !names.Contains(name)
                || role.Model.GetSymbolInfo(target, role.Cancellation).Symbol?.OriginalDefinition is not { } symbol
                || !state.TryGetValue(symbol, out var owner)
                || InConstructorOf(target, owner, role)
                || !reported.Add(symbol))
            {
                continue;
            }

            report.Add(Rule, target.GetLocation(), $"{Kind(symbol)} {symbol.Name} of the role is assigned in {MemberName(target)}, outside its constructor");
        }
    }

    // Fields, and auto-properties (which keep a value in a hidden field); init-only setters run only while the instance is built.
    private static bool StoresValue(ISymbol member, CancellationToken cancellationToken) => member switch
    {
        IFieldSymbol => true,
        IPropertySymbol property => property.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<PropertyDeclarationSyntax>().Any(p =>
            p.ExpressionBody is null && p.AccessorList is { } accessors && accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null)),
        _ => false,
    };

    private static ITypeSymbol TypeOf(ISymbol member) => member is IFieldSymbol field ? field.Type : ((IPropertySymbol)member).Type;

    private static string Kind(ISymbol member) => member is IFieldSymbol ? "Field" : "Property";

    private static string Article(ITypeSymbol type) => type.Name.Length > 0 && "AEIOU".Contains(type.Name[0], StringComparison.Ordinal) ? "an " : "a ";

    // The expressions a node writes to: `x = ...`, `x += ...`, `(x, y) = ...`, `x++`, `ref x`, `out x`.
    private static IEnumerable<ExpressionSyntax> WriteTargets(SyntaxNode node) => node switch
    {
        AssignmentExpressionSyntax assignment => Flatten(assignment.Left),
        PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression) => [prefix.Operand],
        PostfixUnaryExpressionSyntax postfix when postfix.IsKind(SyntaxKind.PostIncrementExpression) || postfix.IsKind(SyntaxKind.PostDecrementExpression) => [postfix.Operand],
        ArgumentSyntax argument when argument.RefKindKeyword.IsKind(SyntaxKind.RefKeyword) || argument.RefKindKeyword.IsKind(SyntaxKind.OutKeyword) => [argument.Expression],
        RefExpressionSyntax reference => [reference.Expression],
        _ => [],
    };

    private static IEnumerable<ExpressionSyntax> Flatten(ExpressionSyntax target) =>
        target is TupleExpressionSyntax tuple ? tuple.Arguments.SelectMany(a => Flatten(a.Expression)) : [target];

    private static string? NameOf(ExpressionSyntax target) => target switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        _ => null,
    };

    // Directly in an instance constructor of the role; a lambda or local function there runs later, on a call.
    private static bool InConstructorOf(SyntaxNode node, INamedTypeSymbol owner, RoleSource role)
    {
        foreach (var ancestor in node.Ancestors())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax:
                    return false;
                case ConstructorDeclarationSyntax constructor:
                    return !constructor.Modifiers.Any(SyntaxKind.StaticKeyword)
                        && SymbolEqualityComparer.Default.Equals(role.Model.GetDeclaredSymbol(constructor, role.Cancellation)?.ContainingType, owner);
                case MemberDeclarationSyntax:
                    return false;
            }
        }

        return false;
    }

    private static string MemberName(SyntaxNode node) =>
        node.Ancestors().OfType<MemberDeclarationSyntax>().Select(m => m switch
        {
            MethodDeclarationSyntax method => method.Identifier.ValueText,
            PropertyDeclarationSyntax property => property.Identifier.ValueText,
            ConstructorDeclarationSyntax constructor => constructor.Identifier.ValueText,
            FieldDeclarationSyntax field => field.Declaration.Variables[0].Identifier.ValueText,
            EventDeclarationSyntax @event => @event.Identifier.ValueText,
            IndexerDeclarationSyntax => "this[]",
            OperatorDeclarationSyntax op => "operator " + op.OperatorToken.ValueText,
            _ => null,
        }).FirstOrDefault(n => n is not null) ?? "a member";
}
