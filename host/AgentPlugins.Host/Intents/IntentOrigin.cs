using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Intents;

/// <summary>Who produced an intent (a role, or <c>host</c>) and the event or request it answered.</summary>
internal sealed record IntentOrigin(string Producer, EventContext Context)
{
    /// <summary>The delivery the answered event belongs to (a timer's id), when it may be delivered again; see <see cref="Loop.EventOrigin.DeliveryId"/>.</summary>
    public string? DeliveryId { get; init; }
}
