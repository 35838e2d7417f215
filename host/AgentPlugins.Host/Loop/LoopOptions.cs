namespace AgentPlugins.Host.Loop;

/// <summary>Settings of the single loop (plugins.json <c>loop</c>).</summary>
internal sealed record LoopOptions
{
    /// <summary>How many pieces of outside work may wait before producers are held back.</summary>
    public int IngressCapacity { get; init; } = 65_536;

    /// <summary>A role call that holds the loop longer than this is reported and its role quarantined.</summary>
    public TimeSpan SlowCallThreshold { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A role call still running this long means the loop cannot recover in-process: the host records
    /// the culprit in the crash journal and exits (code 70) for its supervisor to restart it.
    /// Null means three seconds past <see cref="SlowCallThreshold"/>.
    /// </summary>
    public TimeSpan? HardLimit { get; init; }

    /// <summary>The largest share of <see cref="BudgetWindow"/> one role's calls may hold the loop; past it the role is quarantined. 1 turns the budget off.</summary>
    public double RoleBudget { get; init; } = 0.5;

    /// <summary>The window <see cref="RoleBudget"/> is measured over.</summary>
    public TimeSpan BudgetWindow { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Mark each role call in the crash journal of the data folder. Internal, so not a plugins.json
    /// key: only the benchmark turns it off, to measure what it costs.
    /// </summary>
    internal bool CrashJournal { get; init; } = true;

    /// <summary>The hard limit in effect.</summary>
    public TimeSpan EffectiveHardLimit => HardLimit ?? SlowCallThreshold + TimeSpan.FromSeconds(3);
}
