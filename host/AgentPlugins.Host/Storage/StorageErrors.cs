using Microsoft.Data.Sqlite;

namespace AgentPlugins.Host.Storage;

/// <summary>Turns SQLite's error codes into one line that names the file, the cause and what to do.</summary>
internal static class StorageErrors
{
    /// <summary>Where the fix for a damaged or foreign data file is described.</summary>
    public const string Help = "see docs/configuration.md, \"Data files\"";

    // SQLite primary result codes (the low byte of the extended code).
    private const int Readonly = 8;
    private const int IoError = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int NotADatabase = 26;
    private const int ShortRead = IoError | (2 << 8); // SQLITE_IOERR_SHORT_READ: the file ends before a page it should hold

    /// <summary>A failed write or read of <paramref name="path"/> in words a user can act on.</summary>
    public static StorageException Explain(string path, string doing, Exception ex) => ex switch
    {
        StorageException storage => storage,
        SqliteException { SqliteErrorCode: var code } when (code & 0xff) == Full =>
            new StorageException(path, $"Could not {doing}: the disk holding {path} is full. Free some space; what was saved before is kept.", ex),
        SqliteException { SqliteErrorCode: var code } when (code & 0xff) == Readonly =>
            new StorageException(path, $"Could not {doing}: {path} is read-only. Give the host write access to its data folder.", ex),
        SqliteException { SqliteExtendedErrorCode: ShortRead } =>
            new StorageException(path, $"Could not {doing}: {path} is damaged (shorter than its own header says: truncated); {Help}.", ex),
        SqliteException { SqliteErrorCode: var code } when (code & 0xff) is Corrupt or NotADatabase =>
            new StorageException(path, $"Could not {doing}: {path} is damaged ({Cause(ex)}); {Help}.", ex),
        SqliteException { SqliteErrorCode: var code } when (code & 0xff) is IoError or CantOpen =>
            new StorageException(path, $"Could not {doing}: {path} cannot be read or written ({Cause(ex)}). Check the disk and the folder's permissions.", ex),
        IOException or UnauthorizedAccessException =>
            new StorageException(path, $"Could not {doing}: {path}: {ex.Message}", ex),
        _ => new StorageException(path, $"Could not {doing} in {path}: {Cause(ex)}", ex),
    };

    /// <summary>True when <paramref name="ex"/> says the disk is full.</summary>
    public static bool IsFull(Exception ex) => ex is SqliteException { SqliteErrorCode: var code } && (code & 0xff) == Full
        || ex.InnerException is { } inner && IsFull(inner);

    // SQLite's message without the "SQLite Error 13: " prefix and with the quotes removed.
    private static string Cause(Exception ex) => ex is SqliteException sqlite
        ? sqlite.Message.Split(": ", 2) is [_, var rest] ? rest.Trim('\'', '.') : sqlite.Message
        : ex.Message;
}
