using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.UnloadSafety;

/// <summary>
/// AP0205: no Newtonsoft.Json. Roles cannot reference it (the compiler says only that the namespace is
/// missing), and its contract cache would pin role types; this says why and what to use instead.
/// </summary>
internal sealed class NoNewtonsoftJson : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0205", RuleCategory.UnloadSafety, "No Newtonsoft.Json",
        "Newtonsoft.Json is not available to roles, and its contract cache would keep role types alive forever; use System.Text.Json (JsonSerializer, JsonDocument).");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var name in role.Nodes.OfType<IdentifierNameSyntax>().Where(n => n.Identifier.ValueText == "Newtonsoft"))
        {
            // Report the whole qualified name once, from its leftmost part.
            if (name.Parent is QualifiedNameSyntax qualified && qualified.Left != name)
            {
                continue;
            }

            SyntaxNode whole = name;
            while (whole.Parent is QualifiedNameSyntax or AliasQualifiedNameSyntax
                   || (whole.Parent is MemberAccessExpressionSyntax access && access.Expression == whole))
            {
                whole = whole.Parent;
            }

            report.Add(Rule, whole.GetLocation());
        }
    }
}
