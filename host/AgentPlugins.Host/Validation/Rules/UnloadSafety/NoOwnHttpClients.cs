using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.UnloadSafety;

/// <summary>
/// AP0208: no HTTP client of the role's own: <c>new HttpClient()</c> (or a handler) and static
/// HttpClient fields and properties. A role's own client keeps sockets and the role's context past a
/// reload, and skips what plugins.json sets for the role (timeout, retries, allowed hosts, headers);
/// <c>context.Http</c> is the host's, configured per role.
/// </summary>
internal sealed class NoOwnHttpClients : RoleRule
{
    private const string HttpMessageInvoker = "System.Net.Http.HttpMessageInvoker";

    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0208", RuleCategory.UnloadSafety, "No HTTP clients of the role's own",
        "{0} is an HTTP client of the role's own: it outlives reloads and skips the role's timeout, retries and allowed hosts. Use context.Http (a ToolContext parameter in a tool, the IntentContext in an intent handler), configured in plugins.json roles:settings:NAME:http.");

    private static readonly ApiSet Forbidden = new(
        types:
        [
            "System.Net.Http.HttpClient",
            "System.Net.Http.HttpClientHandler",
            "System.Net.Http.SocketsHttpHandler",
        ],
        members: []);

    public override DiagnosticDescriptor Descriptor => Rule;

    public override IEnumerable<string> Triggers => Forbidden.Words;

    public override void Check(RoleSource role, RuleReport report)
    {
        // A static client is reported once, at its name, not again at the `new` that fills it.
        var reported = new List<SyntaxNode>();
        foreach (var member in role.Members.Where(m => m.Modifiers.Any(SyntaxKind.StaticKeyword)))
        {
            switch (member)
            {
                case FieldDeclarationSyntax field:
                    foreach (var variable in field.Declaration.Variables)
                    {
                        if (role.Model.GetDeclaredSymbol(variable, role.Cancellation) is IFieldSymbol symbol && IsClient(symbol.Type))
                        {
                            reported.Add(variable);
                            report.Add(Rule, variable.Identifier.GetLocation(), $"Static field {symbol.Name}");
                        }
                    }

                    break;
                case PropertyDeclarationSyntax property when role.Model.GetDeclaredSymbol(property, role.Cancellation) is { } symbol && IsClient(symbol.Type):
                    reported.Add(property);
                    report.Add(Rule, property.Identifier.GetLocation(), $"Static property {symbol.Name}");
                    break;
            }
        }

        foreach (var use in role.ApiUses.Where(u => u.IsCreation && Forbidden.ListsType(u)))
        {
            var syntax = use.Operation.Syntax;
            if (!reported.Any(r => r.Span.Contains(syntax.Span) && r.SyntaxTree == syntax.SyntaxTree))
            {
                report.Add(Rule, syntax.GetLocation(), use.Display);
            }
        }
    }

    // HttpClient and every handler derive from HttpMessageInvoker (or HttpMessageHandler, which it wraps).
    private static bool IsClient(ITypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            var name = current.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
            if (name is HttpMessageInvoker or "System.Net.Http.HttpMessageHandler")
            {
                return true;
            }
        }

        return false;
    }
}
