using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.SingleLoop;

/// <summary>AP0105: no <c>async void</c> methods, local functions or lambdas: the loop cannot see when they end or what they throw.</summary>
internal sealed class NoAsyncVoid : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0105", RuleCategory.SingleLoop, "No async void",
        "{0} is async void: it runs on after the call returns, beside the next one, and what it throws escapes to the loop instead of being reported as the role's error. Return Task.");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        // Methods and local functions say `void` in their syntax; a lambda is void only by the
        // delegate it becomes, so only async lambdas are bound to ask.
        foreach (var node in role.Nodes)
        {
            switch (node)
            {
                case MethodDeclarationSyntax method when IsAsyncVoid(method.Modifiers, method.ReturnType):
                    report.Add(Rule, method.Identifier.GetLocation(), method.Identifier.ValueText);
                    break;
                case LocalFunctionStatementSyntax local when IsAsyncVoid(local.Modifiers, local.ReturnType):
                    report.Add(Rule, local.Identifier.GetLocation(), local.Identifier.ValueText);
                    break;
                case AnonymousFunctionExpressionSyntax { AsyncKeyword: var keyword } lambda when keyword.IsKind(SyntaxKind.AsyncKeyword)
                    && role.Model.GetSymbolInfo(lambda, role.Cancellation).Symbol is IMethodSymbol { ReturnsVoid: true }:
                    report.Add(Rule, keyword.GetLocation(), "This lambda");
                    break;
            }
        }
    }

    private static bool IsAsyncVoid(SyntaxTokenList modifiers, TypeSyntax returnType) =>
        modifiers.Any(SyntaxKind.AsyncKeyword) && returnType is PredefinedTypeSyntax { Keyword.RawKind: (int)SyntaxKind.VoidKeyword };
}
