using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Intents;

/// <summary>Who produced an intent (a role, or <c>host</c>) and the event or request it answered.</summary>
internal sealed record IntentOrigin(string Producer, EventContext Context)
{
    /// <summary>The published event the intent answers, when an event handler produced it (its <see cref="EventOrigin.DeliveryId"/> de-duplicates re-deliveries).</summary>
    public EventOrigin? Answering { get; init; }
}
