using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Contract;

/// <summary>
/// AP0010: a role handles only the intent types it declares. The SDK's intents (notification, audit,
/// error, workflow, ...) are carried out by the host, on routes the host owns: a role that handled one
/// would take that route from every other role, and leave it empty when the role is retired.
/// </summary>
internal sealed class NoSdkIntentHandlers : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0010", RuleCategory.Contract, "Roles handle only their own intent types",
        "{0} is an SDK intent: the host carries it out, on a route it owns, for every role. Return {0} from a tool or an event handler and the host does it; for work of the role's own, declare an intent (public sealed record MyIntent(...) : Intent) and handle that.");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var handler in role.Registration.IntentHandlers)
        {
            if (handler.IntentType.ContainingAssembly?.Name == KnownSymbols.SdkAssembly)
            {
                report.Add(Rule, handler.NameLocation, handler.IntentType.Name);
            }
        }
    }
}
