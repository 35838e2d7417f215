using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Tests.Support;
using Npgsql;

namespace AgentPlugins.Tests.Timers;

/// <summary>
/// Real <c>bin/host</c> processes on one real PostgreSQL database, real clock: 1,000 timers due within
/// 10 s are fired exactly once across three hosts; kill -9 of one host during the burst loses none and
/// repeats at most one; a newer schema and a missing connection-string variable stop a host with a
/// clear message and a non-zero exit.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class ScaleOutHostTests(PostgresCluster cluster) : IDisposable
{
    private const int Burst = 1000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Three_hosts_fire_a_thousand_timers_due_within_ten_seconds_exactly_once_in_all()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        await using var group = await HostGroup.StartAsync(_folder.Path, connectionString, 3, Lease, Patience);
        var start = DateTimeOffset.UtcNow.AddSeconds(2);
        await group.ScheduleAsync("once", Burst, i => start.AddMilliseconds(i * 10));

        await WaitForAsync(() => group.Done("once").SelectMany(d => d).Distinct(StringComparer.Ordinal).Count() == Burst, group);

        // A repeat would follow within milliseconds of the others.
        await Task.Delay(1000);
        var done = group.Done("once");
        var all = done.SelectMany(d => d).ToList();
        Assert.True(all.Count == Burst, $"{all.Count - Burst} repeated; per host: {string.Join(", ", done.Select(d => d.Count))}");
        Assert.Equal(Burst, await CountAsync(connectionString, "fired"));
    }

    [Fact]
    public async Task Kill_minus_9_of_one_host_during_the_burst_loses_none_and_repeats_at_most_one()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        await using var group = await HostGroup.StartAsync(_folder.Path, connectionString, 3, Lease, Patience);
        var start = DateTimeOffset.UtcNow.AddSeconds(2);
        await group.ScheduleAsync("crash", Burst, i => start.AddMilliseconds(i * 10));

        // A random moment of the burst, on a host that is firing (it holds claims when it dies).
        var killAfter = Random.Shared.Next(50, 900);
        await WaitForAsync(() => group.Done("crash").SelectMany(d => d).Count() >= killAfter, group);
        var victim = group.Done("crash").Select((d, i) => (d.Count, i)).Max().i;
        await group.KillAsync(victim);

        await WaitForAsync(() => group.Done("crash").SelectMany(d => d).Distinct(StringComparer.Ordinal).Count() == Burst, group);
        await WaitForAsync(async () => await CountAsync(connectionString, "fired") == Burst, group);
        await Task.Delay(1000);

        var all = group.Done("crash").SelectMany(d => d).ToList();
        var repeated = all.GroupBy(l => l, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(all.Count - Burst <= 1, $"killed host-{victim} after {killAfter}: {all.Count - Burst} repeated ({string.Join(", ", repeated)})");
        Assert.Equal(0, await CountAsync(connectionString, "firing"));
    }

    [Fact]
    public async Task A_database_with_a_newer_timers_schema_is_refused_naming_the_database_and_versions()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        await using (var database = new PostgresDatabase(connectionString))
        {
            await PostgresSchema.MigrateAsync(database, new PostgresComponent("timers", [.. Enumerable.Range(1, 7).Select(_ => "SELECT 1")]), "newer-host");
        }

        var folder = Path.Combine(_folder.Path, "host");
        Directory.CreateDirectory(folder);
        Directory.CreateDirectory(Path.Combine(_folder.Path, "roles"));
        var config = Path.Combine(folder, "plugins.json");
        await File.WriteAllTextAsync(config, HostGroup.Config(0, Lease));
        await using var host = HostProcess.Start(folder, new Dictionary<string, string> { [HostGroup.Variable] = connectionString }, "run", "--config", config);

        var exit = await host.WaitForExitAsync(Patience);

        Assert.NotEqual(0, exit);
        var name = PostgresDatabase.Describe(connectionString);
        Assert.Contains(host.Stderr, l => l.Contains($"PostgreSQL database {name} holds the timers schema at version 7, newer than this host knows (1)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_connection_string_variable_stops_the_host_naming_the_key_and_the_variable()
    {
        var folder = Path.Combine(_folder.Path, "host");
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "plugins.json");
        await File.WriteAllTextAsync(config, HostGroup.Config(0, Lease));
        await using var host = HostProcess.Start(folder, new Dictionary<string, string>(), "run", "--config", config);

        var exit = await host.WaitForExitAsync(Patience);

        Assert.Equal(1, exit);
        Assert.Contains($"error: {config}: 'storage:connectionStringVariable' names the environment variable '{HostGroup.Variable}', which is not set.", host.Stderr);
    }

    private static async Task<long> CountAsync(string connectionString, string state)
    {
        await using var database = new PostgresDatabase(connectionString);
        await using var count = database.DataSource.CreateCommand("SELECT count(*) FROM timers WHERE state = $1");
        count.Parameters.Add(new NpgsqlParameter { Value = state });
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static Task WaitForAsync(Func<bool> condition, HostGroup group) => WaitForAsync(() => Task.FromResult(condition()), group);

    private static async Task WaitForAsync(Func<Task<bool>> condition, HostGroup group)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Not in time; per host done: " + string.Join(", ", group.Done(string.Empty).Select(d => d.Count))
                    + "\n" + string.Join("\n---\n", group.Hosts.Select(h => string.Join('\n', h.Stderr.TakeLast(20)))));
            }

            await Task.Delay(20);
        }
    }
}
