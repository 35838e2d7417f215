namespace AgentPlugins.Host.Audit;

/// <summary>
/// Where audit records are kept: <see cref="SqliteAuditStore"/> (the SQLite file) or
/// <see cref="PostgresAuditStore"/> (the database several hosts share). Used by one writer and any number of readers.
/// </summary>
internal interface IAuditStore : IDisposable
{
    /// <summary>The file or database, as named in every error.</summary>
    string Path { get; }

    /// <summary>Opens (and creates or migrates if needed) the store; refuses a damaged, foreign or newer one with a <see cref="Storage.StorageException"/>.</summary>
    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="records"/> in one transaction: all of them or none.</summary>
    void Write(IReadOnlyList<AuditRecord> records);

    /// <summary>The newest records, newest last.</summary>
    IReadOnlyList<AuditRecord> ReadLatest(int count);
}
