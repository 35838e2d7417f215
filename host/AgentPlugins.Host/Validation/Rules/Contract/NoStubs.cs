using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentPlugins.Host.Validation.Rules.Contract;

/// <summary>AP0009: no <c>throw new NotImplementedException()</c>: a stub looks like a role and fails when called.</summary>
internal sealed class NoStubs : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0009", RuleCategory.Contract, "No stubs",
        "NotImplementedException marks a stub; finish this code or remove what it belongs to (a registered stub fails on every call).");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override IEnumerable<string> Triggers => ["NotImplementedException"];

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var thrown in role.Operations.OfType<IThrowOperation>())
        {
            if (RoleSource.Unwrap(thrown.Exception) is IObjectCreationOperation { Type: { } type }
                && role.FullName(type) == "System.NotImplementedException")
            {
                report.Add(Rule, thrown.Syntax.GetLocation());
            }
        }
    }
}
