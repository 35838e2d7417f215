using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.Contract;

/// <summary>
/// AP0008: an intent with data checks it in <c>Validate</c>. The compiler already insists that
/// <c>Validate</c> exists; this catches the stub that returns a constant.
/// </summary>
internal sealed class IntentValidates : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0008", RuleCategory.Contract, "Role-owned intents validate their data",
        "{0}.Validate always returns {1}; check {0}'s values (required ones present, numbers in range, known actions), so a bad intent is reported instead of run.");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var intent in role.Types.Where(t => t.Symbol.IsConcreteIntent()).DistinctBy(t => t.Symbol, SymbolEqualityComparer.Default))
        {
            var hasData = intent.Symbol.GetMembers().OfType<IPropertySymbol>().Any(p => !p.IsStatic && p.Name != "EqualityContract");
            var validate = intent.Symbol.GetMembers("Validate").OfType<IMethodSymbol>().FirstOrDefault(m => m.Parameters.Length == 0);
            var syntax = validate?.DeclaringSyntaxReferences.Select(r => r.GetSyntax(role.Cancellation)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (!hasData || syntax is null || Result(syntax) is not { } result)
            {
                continue;
            }

            // Only a literal or a named constant can be one; a switch or a comparison is not, and is not bound to ask.
            var constant = result switch
            {
                LiteralExpressionSyntax literal => literal.Token.Value,
                IdentifierNameSyntax or MemberAccessExpressionSyntax => role.Model.GetConstantValue(result, role.Cancellation) is { HasValue: true } known ? known.Value : null,
                _ => null,
            };
            if (constant is bool value)
            {
                report.Add(Rule, result.GetLocation(), intent.Symbol.Name, value ? "true" : "false");
            }
        }
    }

    // The one expression Validate returns, when its whole body is that: `=> x` or `{ return x; }`.
    private static ExpressionSyntax? Result(MethodDeclarationSyntax method) =>
        method.ExpressionBody?.Expression
        ?? (method.Body?.Statements is [ReturnStatementSyntax { Expression: { } returned }] ? returned : null);
}
