using Npgsql;

namespace AgentPlugins.Host.Storage.Postgres;

/// <summary>
/// Versioned schema migration in the shared database: <c>agentplugins_schema</c> holds each
/// component's version; a component's missing steps run in one transaction under an advisory lock, so
/// hosts starting together migrate once and the others find it done. A database a newer host already
/// moved past what this host knows is refused, naming the database, component and both versions.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The table of component → version.</summary>
    public const string Table = "agentplugins_schema";

    // pg_advisory_xact_lock key shared by every host's migration ("AgentPlg" in ASCII).
    private const long MigrationLock = 0x4167_656E_7450_6C67;

    /// <summary>Brings <paramref name="component"/> to its version and returns the version found before.</summary>
    /// <exception cref="StorageException">The database is unreachable, a step failed (nothing of it is kept), or the database is newer.</exception>
    public static async Task<int> MigrateAsync(PostgresDatabase database, PostgresComponent component, string hostId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(component);
        var doing = $"migrate the {component.Name} schema";
        var connection = await database.OpenAsync(doing, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(connection, $"""
                        CREATE TABLE IF NOT EXISTS {Table} (
                            component text PRIMARY KEY,
                            version integer NOT NULL,
                            migrated_at timestamptz NOT NULL DEFAULT now(),
                            migrated_by text NULL)
                        """, cancellationToken).ConfigureAwait(false);
                    var found = await VersionAsync(connection, component.Name, cancellationToken).ConfigureAwait(false);
                    if (found > component.Version)
                    {
                        throw new StorageException(database.Name, $"PostgreSQL database {database.Name} holds the {component.Name} schema at version {found}, newer than this host knows ({component.Version}): a newer host migrated it. Run the same version on every host sharing the database.");
                    }

                    for (var version = found + 1; version <= component.Version; version++)
                    {
                        await ExecuteAsync(connection, component.Steps[version - 1], cancellationToken).ConfigureAwait(false);
                    }

                    if (found < component.Version)
                    {
                        await using var record = new NpgsqlCommand($"""
                            INSERT INTO {Table} (component, version, migrated_at, migrated_by) VALUES ($1, $2, now(), $3)
                            ON CONFLICT (component) DO UPDATE SET version = excluded.version, migrated_at = excluded.migrated_at, migrated_by = excluded.migrated_by
                            """, connection);
                        record.Parameters.Add(new NpgsqlParameter { Value = component.Name });
                        record.Parameters.Add(new NpgsqlParameter { Value = component.Version });
                        record.Parameters.Add(new NpgsqlParameter { Value = hostId });
                        await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return found;
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                throw PostgresErrors.Explain(database.Name, doing, ex);
            }
        }
    }

    /// <summary>The version <paramref name="component"/> is at in the database; 0 when it has none yet.</summary>
    public static async Task<int> VersionAsync(PostgresDatabase database, string component, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        var connection = await database.OpenAsync($"read the {component} schema version", cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                await using var exists = new NpgsqlCommand($"SELECT to_regclass('{Table}') IS NOT NULL", connection);
                return (bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!
                    ? await VersionAsync(connection, component, cancellationToken).ConfigureAwait(false)
                    : 0;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                throw PostgresErrors.Explain(database.Name, $"read the {component} schema version", ex);
            }
        }
    }

    private static async Task<int> VersionAsync(NpgsqlConnection connection, string component, CancellationToken cancellationToken)
    {
        await using var read = new NpgsqlCommand($"SELECT version FROM {Table} WHERE component = $1", connection);
        read.Parameters.Add(new NpgsqlParameter { Value = component });
        return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int version ? version : 0;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
