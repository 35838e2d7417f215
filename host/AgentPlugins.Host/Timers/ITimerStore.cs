namespace AgentPlugins.Host.Timers;

/// <summary>
/// Where timers are kept (<see cref="TimerStore"/> is the SQLite file; <see cref="PostgresTimerStore"/>
/// a database several hosts share, see <see cref="ISharedTimerStore"/>). A timer moves <c>pending → firing → fired</c>, or <c>pending → cancelled</c>;
/// each call is one statement, and <see cref="Begin"/>/<see cref="Commit"/> group calls into one
/// transaction. Used by one thread at a time. Times are Unix milliseconds, UTC.
/// </summary>
internal interface ITimerStore : IDisposable
{
    /// <summary>The file or database, as named in every error.</summary>
    string Path { get; }

    /// <summary>A failure of one of the store's calls in words a user can act on, naming the file or database.</summary>
    Storage.StorageException Explain(string doing, Exception ex);

    /// <summary>Opens (and creates if new) the store; refuses a damaged or foreign one with a <see cref="Storage.StorageException"/>.</summary>
    void Open();

    void Begin();

    void Commit();

    /// <summary>Drops the open transaction, if any, undoing what it did.</summary>
    void Rollback();

    /// <summary>Adds a pending timer; its id is never reused, even after it is pruned.</summary>
    StoredTimer Insert(string label, string? user, string channel, string? followUp, long dueAtMs, long nowMs, string? owner = null, string? payload = null);

    long CountPending(string? user);

    /// <summary>Cancels the user's pending timer with that id, else the soonest with that label; its id, or null.</summary>
    long? Cancel(string idOrLabel, string? user, long nowMs);

    List<StoredTimer> ListPending(string? user, string channel);

    /// <summary>The due time of the soonest pending timer, or null when none is pending.</summary>
    long? EarliestPendingDue();

    /// <summary>Moves up to <paramref name="limit"/> pending timers due by <paramref name="nowMs"/> to <c>firing</c>, soonest first, and returns them.</summary>
    List<StoredTimer> ClaimDue(long nowMs, int limit);

    /// <summary>The timers left <c>firing</c>, optionally only those with the given ids.</summary>
    List<StoredTimer> Firing(IReadOnlyCollection<long>? only = null);

    /// <summary>Effects already carried out for <c>firing</c> timers (optionally only those with the given ids): delivery id and effect key.</summary>
    List<(string Delivery, string Effect)> Effects(IReadOnlyCollection<long>? only = null);

    void RecordEffect(string delivery, string effect, long nowMs);

    /// <summary>The expiry was delivered: <c>firing → fired</c>, and its effect records are dropped.</summary>
    void MarkFired(long id, long nowMs);
}
