namespace AgentPlugins.Host.Audit;

/// <summary>
/// Where audit records are kept (<see cref="SqliteAuditStore"/> is the SQLite file; a shared database
/// can sit behind the same calls). Used by one writer and any number of readers.
/// </summary>
internal interface IAuditStore : IDisposable
{
    /// <summary>The file or database, as named in every error.</summary>
    string Path { get; }

    /// <summary>Opens (and creates if new) the store; refuses a damaged or foreign one with a <see cref="Storage.StorageException"/>.</summary>
    void Open();

    /// <summary>Writes <paramref name="records"/> in one transaction: all of them or none.</summary>
    void Write(IReadOnlyList<AuditRecord> records);

    /// <summary>The newest records, newest last.</summary>
    IReadOnlyList<AuditRecord> ReadLatest(int count);
}
