using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Events;

/// <summary>
/// AP0601: a role subscribes only to event types someone publishes: the host (<c>Events.PublishedByHost</c>)
/// or a role of the same folder (<c>new BusEvent("TYPE", ...)</c>). A misspelt type would never fire.
/// </summary>
internal sealed class PublishedEvents : FolderRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Warning(
        "AP0601", RuleCategory.Events, "Subscribed events are published by someone",
        "No one publishes event type '{0}': not the host, not a role in this folder, so {1} never runs{2}");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(IReadOnlyList<RoleFacts> folder, RuleReport report)
    {
        var published = new HashSet<string>(Sdk.Events.PublishedByHost, StringComparer.Ordinal);
        published.UnionWith(folder.SelectMany(role => role.Published));
        foreach (var subscription in folder.SelectMany(role => role.Subscriptions).Where(s => !published.Contains(s.EventType!)))
        {
            var closest = published.Select(known => (Known: known, Distance: Distance(known, subscription.EventType!)))
                .Where(c => c.Distance <= Math.Max(2, c.Known.Length / 4))
                .OrderBy(c => c.Distance)
                .ThenBy(c => c.Known, StringComparer.Ordinal)
                .Select(c => c.Known)
                .FirstOrDefault();
            var hint = closest is null ? "; publish it from a role, or use a type in Events." : $"; did you mean '{closest}'?";
            report.Add(Rule, subscription.EventTypeLocation, subscription.EventType, subscription.HandlerName, hint);
        }
    }

    // Levenshtein distance; event types are short, so the quadratic table is nothing.
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
