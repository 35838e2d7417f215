using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Bus;

/// <summary>Who published an event, and for whom; the bus adds the time when it is handled.</summary>
internal sealed record EventOrigin(string Source, string Channel = ChannelNames.Console, string? User = null, string? Prompt = null)
{
    public static EventOrigin Host { get; } = new("host");

    public EventContext At(DateTimeOffset time) => new(Channel, User, time, Source, Prompt);
}
