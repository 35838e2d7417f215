namespace AgentPlugins.Host.Bus;

/// <summary>Who owns a set of subscriptions: one role generation. Quarantine silences all of them at once.</summary>
internal sealed class BusSubscriber(string role)
{
    public string Role { get; } = role;

    /// <summary>Set when the role misbehaved (held the loop too long); its handlers are skipped.</summary>
    public bool Quarantined { get; set; }
}
