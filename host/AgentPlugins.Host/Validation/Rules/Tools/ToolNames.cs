using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.Tools;

/// <summary>AP0403: tool names are valid function names and unique within the role (ignoring case, as the host does).</summary>
internal sealed partial class ToolNames : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0403", RuleCategory.Tools, "Tool names are valid and unique", "{0}");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var tool in role.ToolMethods)
        {
            var (name, where) = NameOf(role, tool);
            if (!ValidName().IsMatch(name))
            {
                report.Add(Rule, where, $"Tool name '{name}' is not a valid function name; use letters, digits and _ only, e.g. \"set_timer\".");
            }
            else if (!seen.TryAdd(name, tool.Name))
            {
                report.Add(Rule, where, $"Tool name '{name}' is already the name of tool method {seen[name]}; tool names are unique within a role (ignoring case). Rename one with [KernelFunction(\"other_name\")].");
            }
        }
    }

    // The name Semantic Kernel gives the function: [KernelFunction("name")], else the method's name
    // without the "Async" of an awaitable method.
    private static (string Name, Location Where) NameOf(RoleSource role, IMethodSymbol tool)
    {
        var attribute = tool.GetAttributes().First(a => a.AttributeClass.IsKernelFunctionAttribute());
        if (attribute.ConstructorArguments is [{ Value: string given }])
        {
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(role.Cancellation) as AttributeSyntax;
            return (given, syntax?.ArgumentList?.Arguments.FirstOrDefault()?.GetLocation() ?? tool.Locations[0]);
        }

        var awaitable = tool.ReturnType.Name is "Task" or "ValueTask";
        var name = awaitable && tool.Name.EndsWith("Async", StringComparison.Ordinal) && tool.Name.Length > "Async".Length
            ? tool.Name[..^"Async".Length]
            : tool.Name;
        return (name, tool.Locations[0]);
    }

    [GeneratedRegex("^[0-9A-Za-z_]+$")]
    private static partial Regex ValidName();
}
