using System.CommandLine;
using System.Globalization;
using System.Text;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Hosting.Cluster;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Host.Supervision;

namespace AgentPlugins.Host.Commands;

/// <summary>
/// <c>host roles</c>: what the running host serves. Reads the status file the host keeps in its data
/// folder and checks the host is still alive; with no host running it says so and exits 1.
/// </summary>
internal static class RolesCommand
{
    private static readonly System.Text.Json.JsonSerializerOptions ClusterJson = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "plugins.json of the host (default: ./plugins.json if present, else embedded defaults)" };
        var data = new Option<string?>("--data") { Description = "The host's data folder (overrides storage:dataFolder)" };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON" };
        var release = new Option<string?>("--release") { Description = "Let a quarantined role (by role or file name) load again, in the running host or at the next start" };
        var health = new Option<bool>("--health") { Description = "Exit 0 only if the host is running and its loop turned in the last 15 s (for a container HEALTHCHECK)" };
        var cluster = new Option<bool>("--cluster") { Description = "Show every host sharing the PostgreSQL database (storage:provider postgres): its roles and versions, stale hosts, hosts serving another version" };
        var command = new Command("roles", "Show the roles of the running host: generation, state, last error, source, loaded at, generations in memory.") { config, data, json, release, health, cluster };
        command.SetAction(async (result, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>();
            if (result.GetValue(data) is { } dataFolder)
            {
                overrides["storage:dataFolder"] = Path.GetFullPath(dataFolder);
            }

            AgentPluginsOptions options;
            try
            {
                (options, _) = OptionsLoader.Load(result.GetValue(config), overrides);
            }
            catch (ConfigurationException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return 1;
            }

            if (result.GetValue(cluster))
            {
                return await ClusterAsync(options.Storage, result.GetValue(json), cancellationToken).ConfigureAwait(false);
            }

            if (result.GetValue(release) is { } name)
            {
                return await ReleaseAsync(options.Storage.DataFolder, name, cancellationToken).ConfigureAwait(false);
            }

            var path = HostStatusFile.PathIn(options.Storage.DataFolder);
            var status = HostStatusFile.Read(path);
            if (result.GetValue(health) && status is not null && HostStatusFile.IsAlive(status))
            {
                return await HealthAsync(options.Storage.DataFolder).ConfigureAwait(false);
            }

            if (status is null)
            {
                await Console.Error.WriteLineAsync($"error: no host is running (no status at {path}). Start one with `host run`.").ConfigureAwait(false);
                return 1;
            }

            if (!HostStatusFile.IsAlive(status))
            {
                await Console.Error.WriteLineAsync($"error: no host is running: the host that wrote {path} (pid {status.ProcessId}) has ended.").ConfigureAwait(false);
                return 1;
            }

            await Console.Out.WriteAsync(result.GetValue(json)
                ? File.ReadAllText(path) + Environment.NewLine
                : Format(status)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>Every host of the shared database; exits 1 when the host is not on PostgreSQL or the database cannot be read.</summary>
    private static async Task<int> ClusterAsync(StorageOptions storage, bool asJson, CancellationToken cancellationToken)
    {
        if (!storage.IsPostgres)
        {
            await Console.Error.WriteLineAsync("error: --cluster needs storage:provider postgres; this host keeps its state in its own data folder (a cluster of one). See docs/scale-out.md.").ConfigureAwait(false);
            return 1;
        }

        if (storage.ResolveConnectionString(Environment.GetEnvironmentVariable) is not { } connectionString)
        {
            await Console.Error.WriteLineAsync($"error: storage:connectionString or the variable storage:connectionStringVariable names ({storage.ConnectionStringVariable ?? "none set"}) must give the PostgreSQL connection string.").ConfigureAwait(false);
            return 1;
        }

        IReadOnlyList<ClusterHost> hosts;
        await using var database = new PostgresDatabase(connectionString);
        try
        {
            hosts = await ClusterStatus.ReadAsync(database, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        if (asJson)
        {
            await Console.Out.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(hosts, ClusterJson)).ConfigureAwait(false);
            return 0;
        }

        await Console.Out.WriteAsync(FormatCluster(database.Name, hosts, DateTimeOffset.UtcNow)).ConfigureAwait(false);
        return 0;
    }

    internal static string FormatCluster(string database, IReadOnlyList<ClusterHost> hosts, DateTimeOffset now)
    {
        var text = new StringBuilder();
        var stale = hosts.Count(h => h.Stale);
        var differs = hosts.Any(h => h.Differences.Count > 0);
        text.Append(CultureInfo.InvariantCulture, $"{database}: {hosts.Count} host(s)")
            .Append(stale > 0 ? string.Create(CultureInfo.InvariantCulture, $", {stale} stale") : string.Empty)
            .AppendLine(differs ? ", role versions DIFFER" : hosts.Count > 0 ? ", same role versions" : "; no host has written itself yet");
        foreach (var host in hosts)
        {
            var age = Math.Max(0, (now - host.HeartbeatAt).TotalSeconds);
            text.AppendLine(CultureInfo.InvariantCulture, $"{host.Id}{(host.Stale ? "  STALE" : string.Empty)}  (heartbeat {age:0} s ago, up since {host.StartedAt:u})");
            foreach (var role in host.Roles)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {role.Role,-20} {role.State,-11} gen {role.Generation,-3} {(role.Version.Length > 12 ? role.Version[..12] : role.Version),-12}  {role.File}");
            }

            foreach (var difference in host.Differences)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  ! {difference}");
            }
        }

        return text.ToString();
    }

    // A live process is not enough: a loop stuck in a role call stops its heartbeat.
    private static async Task<int> HealthAsync(string dataFolder)
    {
        var beat = LoopHeartbeat.PathIn(dataFolder);
        var age = File.Exists(beat) ? DateTime.UtcNow - File.GetLastWriteTimeUtc(beat) : TimeSpan.MaxValue;
        if (age > LoopHeartbeat.MaxPeriod * 3)
        {
            await Console.Error.WriteLineAsync(age == TimeSpan.MaxValue
                ? $"unhealthy: the loop has not turned yet ({beat} is missing)."
                : $"unhealthy: the loop last turned {age.TotalSeconds:F0} s ago; a role call may hold it.").ConfigureAwait(false);
            return 1;
        }

        await Console.Out.WriteLineAsync($"healthy: the loop turned {age.TotalSeconds:F1} s ago.").ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Releases <paramref name="name"/>: a running host is asked through its data folder and does it
    /// (loading the file again); with no host running, the quarantine list is edited for the next start.
    /// </summary>
    private static async Task<int> ReleaseAsync(string dataFolder, string name, CancellationToken cancellationToken)
    {
        var status = HostStatusFile.Read(HostStatusFile.PathIn(dataFolder));
        if (status is null || !HostStatusFile.IsAlive(status))
        {
            var store = QuarantineStore.Open(dataFolder);
            var entries = store.Named(name);
            if (entries.Count == 0)
            {
                await Console.Error.WriteLineAsync($"error: no role named '{name}' is quarantined in {QuarantineStore.PathIn(dataFolder)}.").ConfigureAwait(false);
                return 1;
            }

            foreach (var entry in entries)
            {
                store.Remove(entry.Path);
                CrashJournal.Forget(dataFolder, entry.Path);
                await Console.Out.WriteLineAsync($"Released {entry.Role} ({entry.Path}); no host is running, the next start loads it.").ConfigureAwait(false);
            }

            return 0;
        }

        string request;
        try
        {
            request = ReleaseRequests.Request(dataFolder, name);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (File.Exists(request))
        {
            if (DateTime.UtcNow > deadline)
            {
                await Console.Error.WriteLineAsync($"error: the host (pid {status.ProcessId}) did not take the release request {request} within 30 s; is its loop stuck?").ConfigureAwait(false);
                return 1;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        // The host rewrites its status at most every 100 ms after a change.
        await Task.Delay(300, cancellationToken).ConfigureAwait(false);
        var after = HostStatusFile.Read(HostStatusFile.PathIn(dataFolder));
        var roles = after?.Roles.Where(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(Path.GetFileNameWithoutExtension(r.Path), name, StringComparison.OrdinalIgnoreCase)).ToList() ?? [];
        if (roles.Count == 0)
        {
            await Console.Error.WriteLineAsync($"error: the host knows no role named '{name}'.").ConfigureAwait(false);
            return 1;
        }

        foreach (var role in roles)
        {
            await Console.Out.WriteLineAsync($"{role.Name ?? name} ({role.Path}): {role.State}, generation {role.Generation}").ConfigureAwait(false);
            foreach (var error in role.LastErrors)
            {
                await Console.Out.WriteLineAsync("    " + error).ConfigureAwait(false);
            }
        }

        return roles.All(r => r.State == "active") ? 0 : 1;
    }

    /// <summary>The status as a table, with each failed role's errors under it.</summary>
    public static string Format(HostStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"host pid {status.ProcessId}, roles from {status.RolesFolder}; retired generations: {status.Unloaded} unloaded, {status.Leaked} leaked");
        if (status.DataFiles is { Count: > 0 } files)
        {
            text.AppendLine(culture, $"data folder: {string.Join(", ", files.Select(f => string.Create(culture, $"{f.File} {f.Bytes / 1024.0:N0} KB")))}; {files.Sum(f => f.Bytes) / (1024.0 * 1024.0):N1} MB in all");
        }

        if (status.Roles.Count == 0)
        {
            text.AppendLine("no role files");
            return text.ToString();
        }

        var rows = status.Roles.Select(r => new[]
        {
            r.Name ?? "-",
            r.Generation.ToString(culture),
            r.State == "failed" && r.Generation > 0 ? "serving, last save failed" : r.State,
            r.LoadedAt?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", culture) ?? "-",
            r.GenerationsInMemory.ToString(culture),
            r.Leaked.ToString(culture),
            r.Plugin is null ? r.Path : $"plugin {r.Path}",
        }).ToList();
        string[] header = ["ROLE", "GEN", "STATE", "LOADED AT", "IN MEMORY", "LEAKED", "SOURCE"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        void Row(string[] cells) => text.AppendLine(string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))));
        Row(header);
        foreach (var (row, role) in rows.Zip(status.Roles))
        {
            Row(row);
            foreach (var error in role.LastErrors)
            {
                text.Append("    ").AppendLine(error);
            }
        }

        return text.ToString();
    }
}
