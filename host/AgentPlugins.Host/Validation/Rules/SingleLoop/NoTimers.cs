using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.SingleLoop;

/// <summary>AP0102: no timers of the role's own: they fire off the loop and outlive a reload. The host's timers do neither.</summary>
internal sealed class NoTimers : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0102", RuleCategory.SingleLoop, "No timers of the role's own",
        "{0} makes a timer the host does not own: it fires off the loop and keeps the role alive after a reload. Set a host timer with IntentContext.Timers in an intent handler, or subscribe to HEARTBEAT_TICK.");

    private static readonly ApiSet Forbidden = new(
        types:
        [
            "System.Threading.Timer",
            "System.Timers.Timer",
            "System.Threading.PeriodicTimer",
        ],
        members:
        [
            "System.TimeProvider.CreateTimer",
        ]);

    public override DiagnosticDescriptor Descriptor => Rule;

    public override IEnumerable<string> Triggers => Forbidden.Words;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var use in role.ApiUses)
        {
            if (Forbidden.ListsMember(use) || ((use.IsCreation || use.IsStatic) && Forbidden.ListsType(use)))
            {
                report.Add(Rule, use.Operation.Syntax.GetLocation(), use.Display);
            }
        }
    }
}
