using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.Tools;

/// <summary>AP0404: tools return <c>ToolResult</c> (or a task of one): text for the model plus intents for the host.</summary>
internal sealed class ToolReturnsToolResult : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0404", RuleCategory.Tools, "Tools return ToolResult",
        "Tool {0} returns {1}; return ToolResult (ToolResult.Ok(\"text for the model\", intents...) or ToolResult.Fail(\"why\")), so the host gets the intents and the model the text.");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var tool in role.ToolMethods)
        {
            var result = tool.ReturnType is INamedTypeSymbol { Name: "Task" or "ValueTask", TypeArguments: [var inner] } ? inner : tool.ReturnType;
            if (result.IsSdk("ToolResult"))
            {
                continue;
            }

            var syntax = tool.DeclaringSyntaxReferences.Select(r => r.GetSyntax(role.Cancellation)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            report.Add(Rule, syntax?.ReturnType.GetLocation() ?? tool.Locations[0], tool.Name, tool.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));
        }
    }
}
