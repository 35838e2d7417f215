using System.Globalization;
using System.Text.RegularExpressions;
using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Host.Timers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AgentPlugins.Tests.Support;

/// <summary>
/// Real <c>bin/host</c> processes as a deployment runs them: on one PostgreSQL database
/// (<c>storage:provider</c> postgres, the connection string in an environment variable), or a single
/// host on its SQLite data folder (the baseline). One roles folder (the sample timer role) shared by
/// all, a data folder and plugins.json each. Every host prints the console user's notifications, so
/// <see cref="Done"/> reads which host fired which timer; <see cref="FiredAsync"/> reads the store.
/// </summary>
internal sealed partial class HostGroup : IAsyncDisposable
{
    /// <summary>The environment variable the hosts read the connection string from.</summary>
    public const string Variable = "AP_TEST_PG_CONNECTION";

    private readonly List<HostProcess> _hosts = [];
    private readonly string? _connectionString;
    private readonly int _count;

    /// <param name="connectionString">The shared database; null for one host on SQLite.</param>
    /// <param name="lease"><c>storage:timerLease</c>: how soon the others take over a killed host's claims.</param>
    public HostGroup(string folder, string? connectionString, int count, TimeSpan lease)
    {
        if (connectionString is null && count != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "SQLite serves one host per data folder.");
        }

        Folder = folder;
        _connectionString = connectionString;
        _count = count;
        Directory.CreateDirectory(Path.Combine(folder, "roles"));
        File.Copy(Repository.SampleRole("timer.cs"), Path.Combine(folder, "roles", "timer.cs"), overwrite: true);
        for (var i = 0; i < count; i++)
        {
            Directory.CreateDirectory(Path.Combine(HostFolder(i), "data"));
            File.WriteAllText(Path.Combine(HostFolder(i), "plugins.json"), Config(i, lease, postgres: connectionString is not null));
        }
    }

    /// <summary>The group's folder: <c>roles/</c> and one <c>host-N/</c> per host.</summary>
    public string Folder { get; }

    public IReadOnlyList<HostProcess> Hosts => _hosts;

    /// <summary>Writes the folders and starts <paramref name="count"/> hosts on the shared database, waiting until each is ready.</summary>
    public static async Task<HostGroup> StartAsync(string folder, string connectionString, int count, TimeSpan lease, TimeSpan patience)
    {
        var group = new HostGroup(folder, connectionString, count, lease);
        await group.StartAsync(patience);
        return group;
    }

    /// <summary>plugins.json of host <paramref name="index"/>: PostgreSQL through <see cref="Variable"/> (or SQLite), the shared roles folder.</summary>
    public static string Config(int index, TimeSpan lease, bool postgres = true) => string.Create(CultureInfo.InvariantCulture, $$"""
        {
          "roles": { "folder": "../roles" },
          "storage": { "dataFolder": "data", "provider": "{{(postgres ? "postgres" : "sqlite")}}"{{(postgres ? $", \"connectionStringVariable\": \"{Variable}\", \"hostId\": \"host-{index}\", \"timerLease\": \"{lease:c}\"" : string.Empty)}} },
          "timers": { "timeZone": "UTC", "maxPerUser": 100000 },
          "channels": { "console": { "enabled": true, "user": "ann" } }
        }
        """);

    /// <summary>Starts the hosts, with <paramref name="extra"/> in each one's environment, and waits until each is ready.</summary>
    public async Task StartAsync(TimeSpan patience, IReadOnlyDictionary<string, string>? extra = null)
    {
        try
        {
            for (var i = 0; i < _count; i++)
            {
                var config = Path.Combine(HostFolder(i), "plugins.json");
                var environment = _connectionString is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [Variable] = _connectionString };
                foreach (var (name, value) in extra ?? new Dictionary<string, string>())
                {
                    environment[name] = value;
                }

                _hosts.Add(HostProcess.Start(HostFolder(i), environment, "run", "--config", config));
            }

            foreach (var host in _hosts)
            {
                await host.WaitForAsync("Ready:", patience);
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Schedules <paramref name="count"/> timers for ann on the console, labelled <c>{prefix}-{i}</c>, due at
    /// <paramref name="due"/>(i), in one transaction as a host would (on PostgreSQL the running hosts are
    /// notified). On SQLite, before <see cref="StartAsync(TimeSpan, IReadOnlyDictionary{string, string})"/> only: the host holds its data folder.
    /// </summary>
    public async Task ScheduleAsync(string prefix, int count, Func<int, DateTimeOffset> due)
    {
        ArgumentNullException.ThrowIfNull(due);
        await using var database = _connectionString is null ? null : new PostgresDatabase(_connectionString);
        using ITimerStore store = database is null
            ? new TimerStore(SqliteFile)
            : new PostgresTimerStore(database, new HostIdentity("scheduler"), TimeSpan.FromSeconds(30), TimeProvider.System, NullLogger<PostgresTimerStore>.Instance);
        store.Open();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        store.Begin();
        for (var i = 0; i < count; i++)
        {
            store.Insert(string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i}"), "ann", "console", null, due(i).ToUnixTimeMilliseconds(), now);
        }

        store.Commit();
        SqliteConnection.ClearAllPools();
    }

    /// <summary>Due and done times (Unix ms) of the fired timers labelled <c>{prefix}-…</c>: done is when a host recorded the expiry delivered.</summary>
    public async Task<IReadOnlyList<(long DueMs, long DoneMs)>> FiredAsync(string prefix)
    {
        const string Sql = "SELECT due_at, done_at FROM timers WHERE state = 'fired' AND label LIKE {0}";
        var fired = new List<(long, long)>();
        if (_connectionString is null)
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = SqliteFile, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = string.Format(CultureInfo.InvariantCulture, Sql, "$label");
            command.Parameters.AddWithValue("$label", prefix + "-%");
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                fired.Add((reader.GetInt64(0), reader.GetInt64(1)));
            }
        }
        else
        {
            await using var database = new PostgresDatabase(_connectionString);
            await using var command = database.DataSource.CreateCommand(string.Format(CultureInfo.InvariantCulture, Sql, "$1"));
            command.Parameters.Add(new NpgsqlParameter { Value = prefix + "-%" });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                fired.Add((reader.GetInt64(0), reader.GetInt64(1)));
            }
        }

        return fired;
    }

    /// <summary>Labels of the timers each host has announced as done, starting with <paramref name="prefix"/>, in order, one entry per announcement.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Done(string prefix) =>
        [.. _hosts.Select(h => (IReadOnlyList<string>)[.. h.Stdout.Select(l => DoneLine().Match(l)).Where(m => m.Success && m.Groups[1].Value.StartsWith(prefix, StringComparison.Ordinal)).Select(m => m.Groups[1].Value)])];

    /// <summary>kill -9 of host <paramref name="index"/>: no shutdown code runs; what it printed stays readable.</summary>
    public Task KillAsync(int index) => _hosts[index].KillAsync();

    /// <summary>Stops every host still running (SIGTERM: a clean stop).</summary>
    public async Task StopAsync(TimeSpan patience)
    {
        foreach (var host in _hosts)
        {
            try
            {
                await host.TerminateAsync(patience);
            }
            catch (InvalidOperationException)
            {
                // Killed earlier: nothing left to stop.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _hosts.Clear();
    }

    private string SqliteFile => Path.Combine(HostFolder(0), "data", "timers.db");

    private string HostFolder(int index) => Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"host-{index}"));

    [GeneratedRegex(@"^\[!\] Timer '([^']+)' is done")]
    private static partial Regex DoneLine();
}
