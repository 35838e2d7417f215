namespace AgentPlugins.Sdk;

/// <summary>
/// An event on the bus: a case-sensitive type name and string data, so that it crosses role
/// boundaries and serializes. Never carries a role-defined type.
/// </summary>
public sealed record BusEvent(string Type, IReadOnlyDictionary<string, string> Data)
{
    private static readonly IReadOnlyDictionary<string, string> NoData = new Dictionary<string, string>();

    public BusEvent(string type)
        : this(type, NoData)
    {
    }

    /// <summary>The value for <paramref name="key"/>, or null when the event does not carry it.</summary>
    public string? Get(string key) => Data.TryGetValue(key, out var value) ? value : null;
}
