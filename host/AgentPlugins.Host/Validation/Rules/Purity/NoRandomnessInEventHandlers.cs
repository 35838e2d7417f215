using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentPlugins.Host.Validation.Rules.Purity;

/// <summary>
/// AP0303: event handlers draw no random numbers or new GUIDs. Like the clock, randomness makes a
/// handler's intents differ from one run to the next, so tests and replays cannot predict them.
/// </summary>
internal sealed class NoRandomnessInEventHandlers : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0303", RuleCategory.Purity, "Event handlers draw no random values",
        "Event handler {0} {1}draws a random value with {2}; an event handler returns the same intents for the same event and context: derive the value from the event (e.Get(...)) or context.Time, or return an intent and draw it in that intent's handler.");

    private static readonly ApiSet Forbidden = new(
        types: ["System.Random", "System.Security.Cryptography.RandomNumberGenerator"],
        members: ["System.Guid.NewGuid", "System.Guid.CreateVersion7"]);

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        var draws = EventHandlerCode.ApiUses(role).Where(u => Forbidden.ListsType(u.Use) || Forbidden.ListsMember(u.Use)).ToList();
        var sources = draws.Select(d => d.Use.Operation).ToHashSet();
        foreach (var (use, handler, via) in draws)
        {
            // One mistake, one report, where the randomness comes from: `Random.Shared` in `Random.Shared.Next()`,
            // `new Random(7)` rather than each `random.Next()` on the local or parameter that holds it.
            var receiver = RoleSource.Unwrap(use.Receiver);
            if (receiver is ILocalReferenceOperation or IParameterReferenceOperation || (receiver is not null && sources.Contains(receiver)))
            {
                continue;
            }

            report.Add(Rule, use.Operation.Syntax.GetLocation(), handler, via, use.Display);
        }
    }
}
