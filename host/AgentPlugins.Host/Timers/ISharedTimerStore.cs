namespace AgentPlugins.Host.Timers;

/// <summary>
/// A timer store several hosts share (<see cref="PostgresTimerStore"/>). Its <see cref="ITimerStore.ClaimDue"/>
/// also takes back timers whose claiming host stopped renewing its lease (marked
/// <see cref="StoredTimer.Reclaimed"/>: their effects may be partly carried out), and it tells this host
/// when another one scheduled a timer or released its claims, so no host polls.
/// </summary>
internal interface ISharedTimerStore : ITimerStore
{
    /// <summary>
    /// Sets what is called, off the timer worker, with the due time (Unix ms) of a timer another host
    /// scheduled or released; <see cref="long.MinValue"/> when such news may have been missed. Call before <see cref="ITimerStore.Open"/>.
    /// </summary>
    void OnChanged(Action<long> changed);

    /// <summary>How long before a timer's due time a host claims it (its wake for a timer it hears of or schedules itself).</summary>
    long ClaimEarlyMs { get; }
}
