namespace AgentPlugins.Host.Loop;

/// <summary>Settings of the single loop (plugins.json <c>loop</c>).</summary>
internal sealed record LoopOptions
{
    /// <summary>How many pieces of outside work may wait before producers are held back.</summary>
    public int IngressCapacity { get; init; } = 65_536;

    /// <summary>A role call that holds the loop longer than this is reported and its role quarantined.</summary>
    public TimeSpan SlowCallThreshold { get; init; } = TimeSpan.FromSeconds(2);
}
