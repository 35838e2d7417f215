using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentPlugins.Host.Validation.Rules.Tools;

/// <summary>
/// AP0406: a tool reads the role's store and writes nothing to it. A tool runs when the model chooses
/// it; changes go through the intents it returns, so they are validated, audited and run one turn at a time.
/// </summary>
internal sealed class ToolsDoNotWriteTheStore : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0406", RuleCategory.Tools, "Tools do not write the store",
        "Tool {0} writes the store ({1}); in a tool the store is read-only: return an intent (ToolResult.Ok(\"text\", new MyIntent(...))) and write in its intent handler.");

    private static readonly HashSet<string> Writes = new(StringComparer.Ordinal) { "SetAsync", "DeleteAsync", "UpdateAsync" };

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var tool in role.ToolMethods)
        {
            if (role.BodyOf(tool) is not { } body)
            {
                continue;
            }

            foreach (var call in body.DescendantsAndSelf().OfType<IInvocationOperation>())
            {
                if (Writes.Contains(call.TargetMethod.Name) && call.TargetMethod.ContainingType.IsSdk("StoreScope"))
                {
                    report.Add(Rule, call.Syntax.GetLocation(), tool.Name, call.TargetMethod.Name);
                }
            }
        }
    }
}
