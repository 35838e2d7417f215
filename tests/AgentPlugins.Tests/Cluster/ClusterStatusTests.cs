using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentPlugins.Host.Commands;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting.Cluster;
using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Tests.FrontDoor;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Cluster;

/// <summary>Each host writes itself to the shared database; the cluster view flags silent hosts and hosts serving another version of a role.</summary>
[Collection(PostgresTests.Name)]
public sealed class ClusterStatusTests(PostgresCluster cluster) : IDisposable
{
    private readonly TempFolder _a = new();
    private readonly TempFolder _b = new();

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    [Fact]
    public async Task A_host_serving_another_version_and_a_silent_host_are_flagged()
    {
        await using var rig = new StorageRig("postgres", cluster);
        var database = await rig.OpenDatabaseAsync();
        await PostgresSchema.MigrateAsync(database, ClusterStatus.Schema, "test");
        var started = DateTimeOffset.UtcNow;
        ClusterRole Timer(string version) => new("timer", "timer.cs", "active", 2, version);
        await ClusterStatus.WriteAsync(database, "a", started, [Timer("aaaaaaaaaaaaaaaa"), new("notes", "notes.cs", "active", 1, "n1")], CancellationToken.None);
        await ClusterStatus.WriteAsync(database, "b", started, [Timer("aaaaaaaaaaaaaaaa"), new("notes", "notes.cs", "active", 1, "n1")], CancellationToken.None);
        await ClusterStatus.WriteAsync(database, "c", started, [Timer("cccccccccccccccc")], CancellationToken.None);
        await ClusterStatus.WriteAsync(database, "d", started, [Timer("dddddddddddddddd")], CancellationToken.None);
        await using (var age = database.DataSource.CreateCommand("UPDATE cluster_hosts SET heartbeat_at = now() - interval '5 minutes' WHERE host_id = 'd'"))
        {
            await age.ExecuteNonQueryAsync();
        }

        var hosts = await ClusterStatus.ReadAsync(database, CancellationToken.None);

        Assert.Equal(["a", "b", "c", "d"], hosts.Select(h => h.Id));
        Assert.Equal([false, false, false, true], hosts.Select(h => h.Stale));
        Assert.Empty(hosts[0].Differences);
        Assert.Empty(hosts[1].Differences);
        Assert.Equal(
            ["serves role timer (timer.cs) at version cccccccccccc; 2 of 3 live hosts serve aaaaaaaaaaaa", "does not serve role notes, which 2 of 3 live hosts serve"],
            hosts[2].Differences);
        Assert.Empty(hosts[3].Differences);

        var text = RolesCommand.FormatCluster(database.Name, hosts, DateTimeOffset.UtcNow);
        Assert.Contains("4 host(s), 1 stale, role versions DIFFER", text, StringComparison.Ordinal);
        Assert.Contains("d  STALE", text, StringComparison.Ordinal);
        Assert.Contains("  ! serves role timer (timer.cs) at version cccccccccccc", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_roles_with_cluster_shows_every_host_and_flags_the_one_whose_roles_folder_differs()
    {
        var database = await cluster.CreateDatabaseAsync();
        var optionsA = OnPostgres(_a, database);
        var optionsB = OnPostgres(_b, database);
        _b.Write("roles/timer.cs", File.ReadAllText(Path.Combine(_b.Path, "roles", "timer.cs")) + "\n// edited on host b only\n");
        await using var hostA = await FrontDoorHost.StartAsync(optionsA);
        await using var hostB = await FrontDoorHost.StartAsync(optionsB);

        JsonElement answer = default;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            answer = await hostA.Client.GetFromJsonAsync<JsonElement>("/api/roles?cluster=true");
            if (answer.GetProperty("hosts").GetArrayLength() == 2)
            {
                break;
            }

            await Task.Delay(100);
        }

        var hosts = answer.GetProperty("hosts").EnumerateArray().ToList();
        Assert.Equal(2, hosts.Count);
        Assert.True(answer.GetProperty("differs").GetBoolean());
        Assert.Equal(0, answer.GetProperty("staleHosts").GetInt32());
        Assert.All(hosts, h => Assert.Equal("timer", h.GetProperty("roles")[0].GetProperty("role").GetString()));
        Assert.All(hosts, h => Assert.Equal("timer.cs", h.GetProperty("roles")[0].GetProperty("file").GetString()));
        Assert.NotEqual(hosts[0].GetProperty("roles")[0].GetProperty("version").GetString(), hosts[1].GetProperty("roles")[0].GetProperty("version").GetString());

        // One against one: no majority, both are flagged.
        Assert.All(hosts, h => Assert.Contains("serves role timer (timer.cs) at version", h.GetProperty("differences")[0].GetString(), StringComparison.Ordinal));

        // Without cluster=true it is this host's own answer, as before.
        Assert.True((await hostA.Client.GetFromJsonAsync<JsonElement>("/api/roles")).TryGetProperty("roles", out _));

        // A host that stops cleanly leaves the view.
        await hostB.DisposeAsync();
        answer = await hostA.Client.GetFromJsonAsync<JsonElement>("/api/roles?cluster=true");
        Assert.Equal(1, answer.GetProperty("hosts").GetArrayLength());
        Assert.False(answer.GetProperty("differs").GetBoolean());
    }

    [Fact]
    public async Task Api_roles_with_cluster_on_sqlite_is_a_problem_naming_the_field()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_a));

        var response = await host.Client.GetAsync("/api/roles?cluster=true");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("cluster", problem, StringComparison.Ordinal);
        Assert.Contains("storage:provider postgres", problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/api/roles?cluster=maybe")).StatusCode);
    }

    [Fact]
    public async Task Host_roles_cluster_prints_every_host_and_says_a_sqlite_host_is_a_cluster_of_one()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        await using (var database = new PostgresDatabase(connectionString))
        {
            await PostgresSchema.MigrateAsync(database, ClusterStatus.Schema, "test");
            await ClusterStatus.WriteAsync(database, "web-1", DateTimeOffset.UtcNow, [new("timer", "timer.cs", "active", 2, "aaaaaaaaaaaaaaaa")], CancellationToken.None);
            await ClusterStatus.WriteAsync(database, "web-2", DateTimeOffset.UtcNow, [new("timer", "timer.cs", "active", 1, "bbbbbbbbbbbbbbbb")], CancellationToken.None);
        }

        var onPostgres = _a.Write("plugins.json", """{ "storage": { "provider": "postgres", "connectionStringVariable": "SCALE_OUT_TEST_DB" } }""");
        await using (var roles = HostProcess.Start(_a.Path, new Dictionary<string, string> { ["SCALE_OUT_TEST_DB"] = connectionString }, "roles", "--cluster", "-c", onPostgres))
        {
            Assert.Equal(0, await roles.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            var output = string.Join('\n', roles.Stdout);
            Assert.Contains("2 host(s), role versions DIFFER", output, StringComparison.Ordinal);
            Assert.Contains("web-1  (heartbeat", output, StringComparison.Ordinal);
            Assert.Contains("! serves role timer (timer.cs) at version bbbbbbbbbbbb", output, StringComparison.Ordinal);
        }

        var onSqlite = _b.Write("plugins.json", "{}");
        await using var single = HostProcess.Start(_b.Path, "roles", "--cluster", "-c", onSqlite);
        Assert.Equal(1, await single.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("--cluster needs storage:provider postgres", string.Join('\n', single.Stderr), StringComparison.Ordinal);
    }

    private static AgentPluginsOptions OnPostgres(TempFolder folder, string connectionString)
    {
        var options = FrontDoorHost.Options(folder);
        return options with { Storage = options.Storage with { Provider = StorageOptions.Postgres, ConnectionString = connectionString } };
    }
}
