using System.Text;
using AgentPlugins.Host.Storage;
using AgentPlugins.Sdk;
using Microsoft.Data.Sqlite;

namespace AgentPlugins.Host.Store;

/// <summary>
/// The roles' key/value SQLite file (<c>store.db</c>, WAL). One row per role, scope and key, with the
/// value's JSON, its size in bytes and its version. Triggers keep <c>usage</c> (bytes per role) exact
/// whoever deletes (a write here, or retention), so a quota check is one lookup. Versions come from one
/// counter that only grows, so a key deleted and written again never shows an old version (no ABA).
/// One connection, used by one thread at a time (the store's worker); not thread-safe.
/// </summary>
internal sealed class RoleStoreFile : IDisposable
{
    /// <summary>The schema this host writes.</summary>
    public static readonly StoreSchema Schema = new("role store", StoreSchema.Family | 0x0005, 1, "entries", """
        CREATE TABLE IF NOT EXISTS entries (
            role TEXT NOT NULL,
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            version INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (role, scope, key));
        CREATE INDEX IF NOT EXISTS entries_updated ON entries (updated_at);
        CREATE TABLE IF NOT EXISTS usage (role TEXT PRIMARY KEY, bytes INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TRIGGER IF NOT EXISTS entries_added AFTER INSERT ON entries BEGIN
            INSERT INTO usage (role, bytes) VALUES (NEW.role, NEW.bytes)
            ON CONFLICT (role) DO UPDATE SET bytes = bytes + NEW.bytes;
        END;
        CREATE TRIGGER IF NOT EXISTS entries_changed AFTER UPDATE OF bytes ON entries BEGIN
            UPDATE usage SET bytes = bytes - OLD.bytes + NEW.bytes WHERE role = NEW.role;
        END;
        CREATE TRIGGER IF NOT EXISTS entries_removed AFTER DELETE ON entries BEGIN
            UPDATE usage SET bytes = bytes - OLD.bytes WHERE role = OLD.role;
        END;
        """);

    private static readonly TimeSpan BusyTimeout = TimeSpan.FromMilliseconds(250);

    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);
    private SqliteConnection? _connection;
    private SqliteTransaction? _transaction;
    private long _lastVersion;

    public RoleStoreFile(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }

    /// <summary>
    /// Retention of the role store: none by default (a role's data is bounded by its quota, not by age);
    /// <c>retention:stores:store:maxAge</c> deletes keys not written for that long.
    /// </summary>
    public static IRetentionTarget Retention(string path) => new SqliteRetentionTarget(
        "store",
        path,
        new RetentionPolicy { MaxAge = TimeSpan.Zero, MaxMegabytes = 0 },
        "DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE updated_at < $cutoff ORDER BY updated_at LIMIT $limit)",
        "DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries ORDER BY updated_at LIMIT $limit)",
        cutoff => cutoff.ToUnixTimeMilliseconds());

    /// <summary>Opens the file through <see cref="SqliteStoreFile"/> (which refuses a damaged, foreign, newer or lost one).</summary>
    public void Open()
    {
        _connection = SqliteStoreFile.Open(Path, Schema, BusyTimeout);
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM entries";
        _lastVersion = (long)command.ExecuteScalar()!;
    }

    public void Begin() => _transaction = Connection.BeginTransaction();

    public void Commit()
    {
        _transaction?.Commit();
        Rollback();
    }

    public void Rollback()
    {
        _transaction?.Dispose();
        _transaction = null;
    }

    /// <summary>Forgets versions handed out in a transaction that was rolled back.</summary>
    public void ResetVersion(long version) => _lastVersion = version;

    public long LastVersion => _lastVersion;

    public StoredValue? Get(StoreKey key)
    {
        var get = Statement("SELECT value, version FROM entries WHERE role = $role AND scope = $scope AND key = $key");
        Bind(get, key);
        using var reader = get.ExecuteReader();
        return reader.Read() ? new StoredValue(reader.GetString(0), reader.GetInt64(1)) : null;
    }

    /// <summary>The version and size of the key's value, without reading the value; null when it has none.</summary>
    public (long Version, long Bytes)? Peek(StoreKey key)
    {
        var peek = Statement("SELECT version, bytes FROM entries WHERE role = $role AND scope = $scope AND key = $key");
        Bind(peek, key);
        using var reader = peek.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    /// <summary>Bytes the role's keys and values take now.</summary>
    public long Usage(string role)
    {
        var usage = Statement("SELECT bytes FROM usage WHERE role = $role");
        usage.Parameters["$role"].Value = role;
        return usage.ExecuteScalar() is long bytes ? bytes : 0;
    }

    /// <summary>What one entry counts against its role's quota: its key and value in UTF-8.</summary>
    public static long SizeOf(StoreKey key, string json) => Encoding.UTF8.GetByteCount(key.Key) + Encoding.UTF8.GetByteCount(json);

    /// <summary>Writes the value with a new version; returns it.</summary>
    public long Put(StoreKey key, string json, long bytes, long nowMs)
    {
        var put = Statement("""
            INSERT INTO entries (role, scope, key, value, bytes, version, updated_at) VALUES ($role, $scope, $key, $value, $bytes, $version, $now)
            ON CONFLICT (role, scope, key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes, version = excluded.version, updated_at = excluded.updated_at
            """);
        Bind(put, key);
        var version = ++_lastVersion;
        put.Parameters["$value"].Value = json;
        put.Parameters["$bytes"].Value = bytes;
        put.Parameters["$version"].Value = version;
        put.Parameters["$now"].Value = nowMs;
        put.ExecuteNonQuery();
        return version;
    }

    public bool Delete(StoreKey key)
    {
        var delete = Statement("DELETE FROM entries WHERE role = $role AND scope = $scope AND key = $key");
        Bind(delete, key);
        return delete.ExecuteNonQuery() > 0;
    }

    public List<StoredEntry> List(string role, string scope, string prefix)
    {
        // The range uses the primary key; substr keeps exactly the keys that start with the prefix.
        var list = Statement("""
            SELECT key, value, version FROM entries
            WHERE role = $role AND scope = $scope AND key >= $prefix AND substr(key, 1, $length) = $prefix
            ORDER BY key
            """);
        list.Parameters["$role"].Value = role;
        list.Parameters["$scope"].Value = scope;
        list.Parameters["$prefix"].Value = prefix;
        list.Parameters["$length"].Value = prefix.Length;
        using var reader = list.ExecuteReader();
        var entries = new List<StoredEntry>();
        while (reader.Read())
        {
            entries.Add(new StoredEntry(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }

        return entries;
    }

    public void Dispose()
    {
        Rollback();
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }

        _statements.Clear();
        _connection?.Dispose();
        _connection = null;
    }

    private SqliteConnection Connection => _connection ?? throw new InvalidOperationException("The role store is not open.");

    private static void Bind(SqliteCommand command, StoreKey key)
    {
        command.Parameters["$role"].Value = key.Role;
        command.Parameters["$scope"].Value = key.Scope;
        command.Parameters["$key"].Value = key.Key;
    }

    // Prepared once and reused: a store under load would otherwise parse the same SQL for every call.
    private SqliteCommand Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in new[] { "$role", "$scope", "$key", "$value", "$bytes", "$version", "$now", "$prefix", "$length" })
            {
                if (sql.Contains(name, StringComparison.Ordinal))
                {
                    command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
                }
            }

            _statements[sql] = command;
        }

        command.Transaction = _transaction;
        return command;
    }
}
