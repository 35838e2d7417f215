using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Sdk;
using Npgsql;

namespace AgentPlugins.Host.Store;

/// <summary>
/// The roles' key/value store in a PostgreSQL database that several hosts share. Each write is one
/// call of <c>store_replace</c>, which locks the role's usage row first: writes of one role are
/// serialized across hosts (the quota check and the version check see what the last writer committed),
/// writes of different roles do not wait for each other. Versions come from one sequence, so a key
/// deleted and written again never shows an old version, whichever host wrote it (no ABA); an
/// <c>UpdateAsync</c> that lost a race on another host runs again on the newer value.
/// </summary>
internal sealed class PostgresRoleStore(PostgresDatabase database, HostIdentity host, long quotaBytes, TimeProvider clock) : IRoleStore
{
    /// <summary>The role store's tables: entries, usage per role, the version sequence and <c>store_replace</c>.</summary>
    public static readonly PostgresComponent Schema = new("store",
    [
        """
        CREATE SEQUENCE store_versions;
        CREATE TABLE store_entries (
            role text NOT NULL,
            scope text NOT NULL,
            key text COLLATE "C" NOT NULL,
            value text NOT NULL,
            bytes bigint NOT NULL,
            version bigint NOT NULL,
            updated_at bigint NOT NULL,
            PRIMARY KEY (role, scope, key));
        CREATE INDEX store_entries_updated ON store_entries (updated_at);
        CREATE TABLE store_usage (role text PRIMARY KEY, bytes bigint NOT NULL);
        -- outcome: 0 written (version), 1 the version did not match, 2 over the quota (usage_after), 3 deleted.
        CREATE FUNCTION store_replace(p_role text, p_scope text, p_key text, p_value text, p_bytes bigint, p_expected bigint, p_now bigint, p_quota bigint,
                                      OUT outcome int, OUT new_version bigint, OUT usage_after bigint)
        LANGUAGE plpgsql AS $$
        DECLARE
            used bigint;
            old_version bigint;
            old_bytes bigint;
        BEGIN
            INSERT INTO store_usage (role, bytes) VALUES (p_role, 0) ON CONFLICT (role) DO NOTHING;
            SELECT bytes INTO used FROM store_usage WHERE role = p_role FOR UPDATE;
            SELECT version, bytes INTO old_version, old_bytes FROM store_entries WHERE role = p_role AND scope = p_scope AND key = p_key;
            IF p_expected IS NOT NULL AND COALESCE(old_version, 0) <> p_expected THEN
                outcome := 1;
                RETURN;
            END IF;
            IF p_value IS NULL THEN
                IF old_version IS NOT NULL THEN
                    DELETE FROM store_entries WHERE role = p_role AND scope = p_scope AND key = p_key;
                    UPDATE store_usage SET bytes = bytes - old_bytes WHERE role = p_role;
                END IF;
                outcome := 3;
                new_version := 0;
                RETURN;
            END IF;
            usage_after := used - COALESCE(old_bytes, 0) + p_bytes;
            IF p_bytes > COALESCE(old_bytes, 0) AND usage_after > p_quota THEN
                outcome := 2;
                RETURN;
            END IF;
            new_version := nextval('store_versions');
            INSERT INTO store_entries (role, scope, key, value, bytes, version, updated_at)
            VALUES (p_role, p_scope, p_key, p_value, p_bytes, new_version, p_now)
            ON CONFLICT (role, scope, key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes, version = excluded.version, updated_at = excluded.updated_at;
            UPDATE store_usage SET bytes = usage_after WHERE role = p_role;
            outcome := 0;
        END $$;
        """,
        """
        -- Retention: deletes up to p_limit of the entries not written since p_cutoff (any age when null),
        -- oldest first; returns how many. The victims are fixed first (everything up to the p_limit-th
        -- oldest); then role by role, in role order, the role's usage row is locked before its entries,
        -- the order store_replace takes them in, so writers and retention on several hosts never wait on
        -- each other in a cycle. An entry written again meanwhile is newer and is left alone.
        CREATE FUNCTION store_prune(p_cutoff bigint, p_limit int) RETURNS int
        LANGUAGE plpgsql AS $$
        DECLARE
            last_at bigint;
            last_role text;
            last_scope text;
            last_key text COLLATE "C";
            victim_role text;
            removed int := 0;
            count_now int;
            freed bigint;
        BEGIN
            SELECT updated_at, role, scope, key INTO last_at, last_role, last_scope, last_key
            FROM store_entries WHERE p_cutoff IS NULL OR updated_at < p_cutoff
            ORDER BY updated_at, role, scope, key OFFSET p_limit - 1 LIMIT 1;
            FOR victim_role IN
                SELECT DISTINCT role FROM store_entries
                WHERE (p_cutoff IS NULL OR updated_at < p_cutoff)
                  AND (last_at IS NULL OR (updated_at, role, scope, key) <= (last_at, last_role, last_scope, last_key))
                ORDER BY role
            LOOP
                PERFORM 1 FROM store_usage WHERE role = victim_role FOR UPDATE;
                WITH gone AS (
                    DELETE FROM store_entries
                    WHERE role = victim_role
                      AND (p_cutoff IS NULL OR updated_at < p_cutoff)
                      AND (last_at IS NULL OR (updated_at, role, scope, key) <= (last_at, last_role, last_scope, last_key))
                    RETURNING bytes)
                SELECT count(*), COALESCE(sum(bytes), 0) INTO count_now, freed FROM gone;
                UPDATE store_usage SET bytes = bytes - freed WHERE role = victim_role;
                removed := removed + count_now;
            END LOOP;
            RETURN removed;
        END $$;
        """,
    ]);

    /// <summary>
    /// Retention of the role store, as on SQLite: none by default (a role's data is bounded by its
    /// quota, not by age); <c>retention:stores:store:maxAge</c> deletes keys not written for that long.
    /// </summary>
    public static IRetentionTarget Retention(PostgresDatabase database) => new PostgresStoreRetention(database);

    private const int Written = 0;
    private const int VersionMismatch = 1;
    private const int OverQuota = 2;

    /// <summary>The database, as named in every error.</summary>
    public string Path => database.Name;

    /// <summary>Creates or migrates the tables (under the schema lock all hosts share).</summary>
    public Task OpenAsync(CancellationToken cancellationToken) => PostgresSchema.MigrateAsync(database, Schema, host.Id, cancellationToken);

    /// <summary>The database is the host's to close (<see cref="PostgresDatabase"/>); nothing is queued here.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public async Task<StoredValue?> GetAsync(StoreKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            await using var command = database.DataSource.CreateCommand("SELECT value, version FROM store_entries WHERE role = $1 AND scope = $2 AND key = $3");
            Bind(command, key);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? new StoredValue(reader.GetString(0), reader.GetInt64(1)) : null;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Explain(Path, "read the role store", ex);
        }
    }

    public async Task<long?> ReplaceAsync(StoreKey key, string? json, long? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bytes = json is null ? 0 : RoleStoreFile.SizeOf(key, json);
        int outcome;
        long version;
        long usageAfter;
        try
        {
            await using var command = database.DataSource.CreateCommand("SELECT outcome, new_version, usage_after FROM store_replace($1, $2, $3, $4, $5, $6, $7, $8)");
            Bind(command, key);
            command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = json, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = bytes });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)expectedVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = clock.GetUtcNow().ToUnixTimeMilliseconds() });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = quotaBytes });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            outcome = reader.GetInt32(0);
            version = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
            usageAfter = reader.IsDBNull(2) ? 0 : reader.GetInt64(2);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Explain(Path, "write the role store", ex);
        }

        return outcome switch
        {
            VersionMismatch => null,
            OverQuota => throw RoleStoreService.QuotaRefusal(key, bytes, usageAfter, quotaBytes),
            Written => version,
            _ => 0,
        };
    }

    public async Task<IReadOnlyList<StoredEntry>> ListAsync(string role, string scope, string prefix, CancellationToken cancellationToken = default)
    {
        prefix ??= string.Empty;
        try
        {
            // The range uses the primary key (the key's collation is C: byte order, as in SQLite); left() keeps exactly the prefix's keys.
            await using var command = database.DataSource.CreateCommand("""
                SELECT key, value, version FROM store_entries
                WHERE role = $1 AND scope = $2 AND key >= $3 AND left(key, $4) = $3
                ORDER BY key
                """);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = role });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = scope });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = prefix.Length });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var entries = new List<StoredEntry>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new StoredEntry(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }

            return entries;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Explain(Path, "read the role store", ex);
        }
    }

    private static void Bind(NpgsqlCommand command, StoreKey key)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Role });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Scope });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Key });
    }
}
