using System.Globalization;
using Microsoft.Data.Sqlite;

namespace AgentPlugins.Host.Storage;

/// <summary>
/// Opens one of the host's SQLite files the one way they are all opened: refuses a file that is
/// missing or empty although the host created it, one that is not an SQLite file, not ours
/// (<c>application_id</c>), from a newer host (<c>user_version</c>) or damaged (<c>quick_check</c>),
/// each with one line naming the file and the fix; then sets WAL, <c>synchronous=NORMAL</c> and
/// incremental auto-vacuum, and creates the schema.
/// </summary>
internal static class SqliteStoreFile
{
    /// <summary>
    /// After each checkpoint the WAL file is cut back to this many bytes: without it, a store written
    /// without pause keeps a WAL as large as it ever grew.
    /// </summary>
    public const int JournalSizeLimit = 1024 * 1024;

    /// <summary>Pages in the WAL that trigger a checkpoint (SQLite's default is 1,000, about 4 MB): a store under steady writes keeps a WAL of about 1 MB.</summary>
    public const int AutoCheckpointPages = 256;

    private static readonly byte[] Header = "SQLite format 3\0"u8.ToArray();

    /// <summary>Opens <paramref name="path"/>, creating it if it never existed, and returns the open connection.</summary>
    /// <param name="busyTimeout">How long a statement waits for another connection's write lock before failing.</param>
    /// <param name="maxBytes">A hard size limit (<c>PRAGMA max_page_count</c>): past it writes fail as on a full disk. Null: none.</param>
    /// <exception cref="StorageException">The file cannot be used; the message says why and what to do.</exception>
    public static SqliteConnection Open(string path, StoreSchema schema, TimeSpan busyTimeout, long? maxBytes = null)
    {
        path = System.IO.Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.Explain(path, "create the data folder", ex);
        }

        var existed = CheckBeforeOpen(path);
        var connection = new SqliteConnection(ConnectionString(path, busyTimeout));
        try
        {
            connection.Open();
            if (existed)
            {
                CheckContent(connection, path, schema);
            }
            else
            {
                // Must precede the first table: auto_vacuum cannot be turned on later without a VACUUM.
                Execute(connection, "PRAGMA auto_vacuum=INCREMENTAL;");
            }

            Execute(connection, $"""
                PRAGMA journal_mode=WAL;
                PRAGMA synchronous=NORMAL;
                PRAGMA busy_timeout={(int)busyTimeout.TotalMilliseconds};
                PRAGMA journal_size_limit={JournalSizeLimit};
                PRAGMA wal_autocheckpoint={AutoCheckpointPages};
                """);
            using (var transaction = connection.BeginTransaction())
            {
                Execute(connection, schema.Create, transaction);
                Execute(connection, $"PRAGMA application_id={schema.ApplicationId}; PRAGMA user_version={schema.Version};", transaction);
                transaction.Commit();
            }

            if (Scalar(connection, "PRAGMA auto_vacuum") != 2)
            {
                // A file from a host before incremental auto-vacuum: rebuilt once, so pruned rows give space back.
                Execute(connection, "PRAGMA auto_vacuum=INCREMENTAL; VACUUM;");
            }

            if (maxBytes is { } limit)
            {
                Execute(connection, $"PRAGMA max_page_count={Math.Max(1, limit / Scalar(connection, "PRAGMA page_size"))};");
            }

            DataFileManifest.Add(path);
            return connection;
        }
        catch (Exception ex)
        {
            connection.Dispose();
            throw StorageErrors.Explain(path, $"open the {schema.Name}", ex);
        }
    }

    /// <summary>A connection string for a second connection to a file opened by <see cref="Open"/> (retention, readers).</summary>
    public static string ConnectionString(string path, TimeSpan busyTimeout) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Pooling = false,
        DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
    }.ToString();

    // True when the file exists (and looks like SQLite); false when it is to be created.
    private static bool CheckBeforeOpen(string path)
    {
        var info = new FileInfo(path);
        var listed = DataFileManifest.Lists(path);
        if (!info.Exists)
        {
            if (listed)
            {
                throw new StorageException(path, $"{path} is missing, but this data folder had one (listed in {DataFileManifest.FileName}): restore it from a backup, or remove its line from {DataFileManifest.ManifestOf(path)} to start empty; {StorageErrors.Help}.");
            }

            return false;
        }

        if (info.Length == 0)
        {
            throw new StorageException(path, $"{path} is empty (0 bytes){(listed ? " although the host had written it" : string.Empty)}: restore it from a backup, or delete it to start empty; {StorageErrors.Help}.");
        }

        var header = new byte[Header.Length];
        int read;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }

        if (read < Header.Length || !header.AsSpan().SequenceEqual(Header))
        {
            throw new StorageException(path, $"{path} is not an SQLite file: move it away (or restore the host's file from a backup); {StorageErrors.Help}.");
        }

        return true;
    }

    private static void CheckContent(SqliteConnection connection, string path, StoreSchema schema)
    {
        var applicationId = Scalar(connection, "PRAGMA application_id");
        var version = Scalar(connection, "PRAGMA user_version");
        if (applicationId == 0 && version == 0)
        {
            // Written before the host set an id, or a foreign file: ours only if it is empty or holds our table.
            var tables = Scalar(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'");
            var ours = Scalar(connection, $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{schema.MainTable}'");
            if (tables > 0 && ours == 0)
            {
                throw NotOurs(path, schema, "an SQLite file of another program");
            }
        }
        else if (applicationId != schema.ApplicationId)
        {
            throw NotOurs(path, schema, (applicationId & unchecked((int)0xffff_0000)) == StoreSchema.Family
                ? "another of the host's files"
                : $"an SQLite file of another program (application_id {applicationId.ToString(CultureInfo.InvariantCulture)})");
        }
        else if (version > schema.Version)
        {
            throw new StorageException(path, $"{path} was written by a newer host (schema {version.ToString(CultureInfo.InvariantCulture)}, this host knows up to {schema.Version.ToString(CultureInfo.InvariantCulture)}): run the newer host, or restore a backup made for this one; {StorageErrors.Help}.");
        }

        var problems = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA quick_check(3)";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                problems.Add(reader.GetString(0));
            }
        }

        if (problems is not ["ok"])
        {
            throw new StorageException(path, $"{path} is damaged (quick_check: {string.Join("; ", problems)}): restore it from a backup, or move it away to start empty; {StorageErrors.Help}.");
        }
    }

    private static StorageException NotOurs(string path, StoreSchema schema, string what) =>
        new(path, $"{path} is {what}, not the host's {schema.Name}: move it away, or point storage:dataFolder at another folder; {StorageErrors.Help}.");

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
