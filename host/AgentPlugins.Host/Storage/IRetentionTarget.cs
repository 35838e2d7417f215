namespace AgentPlugins.Host.Storage;

/// <summary>
/// A store retention keeps bounded (the audit log, finished timers, conversations; the notification
/// outbox and the role store's deleted keys plug in the same way). Each call deletes at most
/// <c>limit</c> records in one short transaction, oldest first, and never what is still in use
/// (a pending timer, an undelivered notification). Called off the loop, one call at a time.
/// </summary>
internal interface IRetentionTarget
{
    /// <summary>The key under <c>retention:stores</c> (<c>audit</c>).</summary>
    string Name { get; }

    /// <summary>The store's bounds when plugins.json sets none.</summary>
    RetentionPolicy Defaults { get; }

    /// <summary>Deletes up to <paramref name="limit"/> records older than <paramref name="cutoff"/>; how many it deleted.</summary>
    int PruneOlderThan(DateTimeOffset cutoff, int limit);

    /// <summary>Deletes up to <paramref name="limit"/> of the oldest records that may go; how many it deleted.</summary>
    int PruneOldest(int limit);

    /// <summary>Bytes the store's records take (not counting free space it will give back).</summary>
    long DataBytes();

    /// <summary>Gives free space back to the file system and keeps the write-ahead log small; a bounded amount of work per call.</summary>
    void Compact();
}
