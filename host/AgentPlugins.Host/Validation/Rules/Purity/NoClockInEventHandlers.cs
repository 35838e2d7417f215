using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Purity;

/// <summary>AP0302: event handlers read the time from their <c>EventContext</c>, never from the machine's clock.</summary>
internal sealed class NoClockInEventHandlers : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0302", RuleCategory.Purity, "Event handlers read the time from their context",
        "Event handler {0} {1}reads the clock with {2}; use context.Time, the host clock's time for this event, so tests and replays decide what time it is.");

    private static readonly ApiSet Forbidden = new(
        types: [],
        members:
        [
            "System.DateTime.Now",
            "System.DateTime.UtcNow",
            "System.DateTime.Today",
            "System.DateTimeOffset.Now",
            "System.DateTimeOffset.UtcNow",
            "System.TimeProvider.System",
        ]);

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var (use, handler, via) in EventHandlerCode.ApiUses(role).Where(u => Forbidden.ListsMember(u.Use)))
        {
            report.Add(Rule, use.Operation.Syntax.GetLocation(), handler, via, use.Display);
        }
    }
}
