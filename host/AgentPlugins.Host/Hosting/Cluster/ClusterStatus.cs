using System.Text.Json;
using AgentPlugins.Host.Storage.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace AgentPlugins.Host.Hosting.Cluster;

/// <summary>
/// The <c>cluster_hosts</c> table of the shared database: each host writes its row (id, roles with
/// their generations and source hashes, heartbeat), and anyone reads them all and sees which host
/// is silent and which serves a role in a version the others do not.
/// </summary>
internal static class ClusterStatus
{
    /// <summary>How often a host writes itself when nothing changes.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);

    /// <summary>A host silent for this long is shown as stale.</summary>
    public static readonly TimeSpan StaleAfter = Heartbeat * 3;

    /// <summary>The hosts' table.</summary>
    public static readonly PostgresComponent Schema = new("cluster",
    [
        """
        CREATE TABLE cluster_hosts (
            host_id text PRIMARY KEY,
            started_at timestamptz NOT NULL,
            heartbeat_at timestamptz NOT NULL,
            roles jsonb NOT NULL);
        """,
    ]);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Writes (or replaces) <paramref name="hostId"/>'s row with the database's clock as heartbeat.</summary>
    public static async Task WriteAsync(PostgresDatabase database, string hostId, DateTimeOffset startedAt, IReadOnlyList<ClusterRole> roles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        try
        {
            await using var command = database.DataSource.CreateCommand("""
                INSERT INTO cluster_hosts (host_id, started_at, heartbeat_at, roles) VALUES ($1, $2, now(), $3)
                ON CONFLICT (host_id) DO UPDATE SET heartbeat_at = now(), roles = excluded.roles
                """);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = hostId });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = startedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(roles, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Explain(database.Name, "write this host's status", ex);
        }
    }

    /// <summary>Removes <paramref name="hostId"/>'s row: the host stopped cleanly.</summary>
    public static async Task RemoveAsync(PostgresDatabase database, string hostId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        try
        {
            await using var command = database.DataSource.CreateCommand("DELETE FROM cluster_hosts WHERE host_id = $1");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = hostId });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Explain(database.Name, "remove this host's status", ex);
        }
    }

    /// <summary>Every host that wrote itself, by id, with stale hosts and version differences marked.</summary>
    public static async Task<IReadOnlyList<ClusterHost>> ReadAsync(PostgresDatabase database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        var rows = new List<(string Id, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, bool Stale, IReadOnlyList<ClusterRole> Roles)>();
        try
        {
            await using var command = database.DataSource.CreateCommand(
                "SELECT host_id, started_at, heartbeat_at, heartbeat_at < now() - $1, roles::text FROM cluster_hosts ORDER BY host_id");
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = StaleAfter, NpgsqlDbType = NpgsqlDbType.Interval });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((
                    reader.GetString(0),
                    new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero),
                    new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero),
                    reader.GetBoolean(3),
                    JsonSerializer.Deserialize<List<ClusterRole>>(reader.GetString(4), Json) ?? []));
            }
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw PostgresErrors.Explain(database.Name, "read the cluster's status", ex);
        }

        // The version most live hosts serve is the cluster's; a live host serving another one is flagged.
        var live = rows.Where(r => !r.Stale).ToList();
        var usual = live
            .SelectMany(r => r.Roles.Where(role => role.State == "active"))
            .GroupBy(role => role.Role, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.GroupBy(role => role.Version, StringComparer.Ordinal).OrderByDescending(v => v.Count()).ThenBy(v => v.Key, StringComparer.Ordinal).Select(v => (Version: v.Key, Hosts: v.Count())).ToList(), StringComparer.Ordinal);
        return [.. rows.Select(r => new ClusterHost(r.Id, r.StartedAt, r.HeartbeatAt, r.Stale, r.Roles, r.Stale ? [] : Differences(r.Roles, usual, live.Count)))];
    }

    private static List<string> Differences(IReadOnlyList<ClusterRole> roles, Dictionary<string, List<(string Version, int Hosts)>> usual, int liveHosts)
    {
        var differences = new List<string>();
        foreach (var role in roles.Where(r => r.State == "active"))
        {
            var versions = usual[role.Role];
            if (versions.Count > 1 && versions[1].Hosts == versions[0].Hosts)
            {
                // A tie: no version is the cluster's, so every host serving the role is flagged.
                differences.Add($"serves role {role.Role} ({role.File}) at version {Short(role.Version)}; the {liveHosts} live hosts serve {versions.Count} versions of it, none on more hosts than the others");
            }
            else if (versions.Count > 1 && role.Version != versions[0].Version)
            {
                differences.Add($"serves role {role.Role} ({role.File}) at version {Short(role.Version)}; {versions[0].Hosts} of {liveHosts} live hosts serve {Short(versions[0].Version)}");
            }
        }

        var served = roles.Where(r => r.State == "active").Select(r => r.Role).ToHashSet(StringComparer.Ordinal);
        foreach (var (role, versions) in usual.Where(u => !served.Contains(u.Key)))
        {
            differences.Add($"does not serve role {role}, which {versions.Sum(v => v.Hosts)} of {liveHosts} live hosts serve");
        }

        return differences;
    }

    private static string Short(string version) => version.Length > 12 ? version[..12] : version;
}
