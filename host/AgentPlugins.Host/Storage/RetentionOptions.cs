namespace AgentPlugins.Host.Storage;

/// <summary>
/// plugins.json <c>retention</c>: how long, and how much, the host keeps of what it stores
/// (docs/configuration.md). A pass runs every <see cref="Interval"/> off the loop and deletes in
/// batches of <see cref="BatchSize"/> rows, so no writer waits long for it.
/// </summary>
internal sealed record RetentionOptions
{
    /// <summary>The stores a policy may name; a part of the host that adds a store adds its name here.</summary>
    public static readonly IReadOnlyList<string> KnownStores = ["audit", "timers", "conversations", "store"];

    /// <summary>Time between two retention passes (the first runs right after start).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Rows deleted per statement; each statement is one short write transaction.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>Per store (<c>audit</c>, <c>timers</c>, <c>conversations</c>, ...): what overrides the store's defaults.</summary>
    public Dictionary<string, RetentionPolicy> Stores { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The policy of <paramref name="store"/>: what plugins.json sets, the store's defaults for the rest.</summary>
    public RetentionPolicy For(string store, RetentionPolicy defaults) => Stores.TryGetValue(store, out var set)
        ? new RetentionPolicy { MaxAge = set.MaxAge ?? defaults.MaxAge, MaxMegabytes = set.MaxMegabytes ?? defaults.MaxMegabytes }
        : defaults;
}

/// <summary>plugins.json <c>retention:stores:NAME</c>: a bound by age and one by size; either may be off.</summary>
internal sealed record RetentionPolicy
{
    /// <summary>Records older than this are deleted; <c>00:00:00</c> keeps them whatever their age.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>The oldest records are deleted while the store's data is larger than this; 0 sets no bound.</summary>
    public int? MaxMegabytes { get; init; }

    /// <summary><see cref="MaxMegabytes"/> in bytes, or null when unbounded.</summary>
    public long? MaxBytes => MaxMegabytes is > 0 and var megabytes ? megabytes * 1024L * 1024L : null;

    /// <summary><see cref="MaxAge"/>, or null when unbounded.</summary>
    public TimeSpan? Age => MaxAge is { } age && age > TimeSpan.Zero ? age : null;
}
