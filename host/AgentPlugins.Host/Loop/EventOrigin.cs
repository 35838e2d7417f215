using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Loop;

/// <summary>Who published an event, and for whom; the bus adds the time when it is handled.</summary>
internal sealed record EventOrigin(string Source, string Channel = ChannelNames.Console, string? User = null, string? Prompt = null)
{
    public static EventOrigin Host { get; } = new("host");

    /// <summary>
    /// A stable id for an event that may be delivered more than once (a timer expiry re-delivered
    /// after a crash); intents answering it carry it, so their effects can be de-duplicated.
    /// </summary>
    public string? DeliveryId { get; init; }

    public EventContext At(DateTimeOffset time) => new(Channel, User, time, Source, Prompt);
}
