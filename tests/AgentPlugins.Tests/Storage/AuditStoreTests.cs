using AgentPlugins.Host.Audit;
using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Tests.Storage;

/// <summary>The audit log on a real SQLite file and a real PostgreSQL database: the same calls, the same answers.</summary>
[Collection(PostgresTests.Name)]
public sealed class AuditStoreTests(PostgresCluster cluster)
{
    public static TheoryData<string> Providers => [.. StorageRig.Providers];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Records_are_written_in_order_and_read_back_newest_last(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        var audit = await OpenAsync(rig);
        var at = new DateTimeOffset(2026, 11, 30, 8, 0, 0, 123, TimeSpan.Zero);
        for (var i = 0; i < 1500; i++)
        {
            audit.Append(new AuditRecord(at.AddSeconds(i), "notes", "saved", $"récord {i}", i % 2 == 0 ? "ann" : null));
        }

        await audit.DisposeAsync();

        var reader = await OpenStoreAsync(rig);
        var latest = reader.ReadLatest(3);
        Assert.Equal(["récord 1497", "récord 1498", "récord 1499"], latest.Select(r => r.Details));
        Assert.Equal([null, "ann", null], latest.Select(r => r.User));
        Assert.Equal(at.AddSeconds(1499), latest[^1].At);
        Assert.Equal(("notes", "saved"), (latest[0].Producer, latest[0].Action));
        Assert.Equal(1500, reader.ReadLatest(5000).Count);
    }

    [Fact]
    public async Task Three_hosts_write_to_one_audit_and_each_reads_all()
    {
        await using var rig = new StorageRig("postgres", cluster);
        var logs = new[] { await OpenAsync(rig), await OpenAsync(rig), await OpenAsync(rig) };
        for (var i = 0; i < 100; i++)
        {
            logs[i % 3].Append(new AuditRecord(DateTimeOffset.UtcNow, $"host{i % 3}", "saved", $"record {i}", "ann"));
        }

        foreach (var log in logs)
        {
            await log.DisposeAsync();
        }

        var records = (await OpenStoreAsync(rig)).ReadLatest(1000);
        Assert.Equal(100, records.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"record {i}").Order(), records.Select(r => r.Details).Order());
    }

    [Fact]
    public async Task A_database_migrated_by_a_newer_host_is_refused_naming_it()
    {
        await using var rig = new StorageRig("postgres", cluster);
        var database = await rig.OpenDatabaseAsync();
        await PostgresSchema.MigrateAsync(database, new PostgresComponent("audit", [.. PostgresAuditStore.Schema.Steps, "SELECT 1"]), "newer");

        var error = await Assert.ThrowsAsync<AgentPlugins.Host.Storage.StorageException>(() => new PostgresAuditStore(database, HostIdentity.Create("old")).OpenAsync(CancellationToken.None));

        Assert.Contains(database.Name, error.Message, StringComparison.Ordinal);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_on_the_shared_database_prunes_records_past_their_age()
    {
        await using var rig = new StorageRig("postgres", cluster);
        var store = (PostgresAuditStore)await OpenStoreAsync(rig);
        var now = DateTimeOffset.UtcNow;
        store.Write([.. Enumerable.Range(0, 3).Select(i => new AuditRecord(now.AddDays(-100 - i), "notes", "old", $"old {i}", null))]);
        store.Write([new AuditRecord(now, "notes", "new", "new", "ann")]);
        var retention = PostgresAuditStore.Retention(await rig.OpenDatabaseAsync());

        Assert.Equal(3, retention.PruneOlderThan(now.AddDays(-90), 100));
        Assert.Equal(["new"], store.ReadLatest(10).Select(r => r.Details));
        Assert.True(retention.DataBytes() > 0);
    }

    [Fact]
    public async Task The_writer_keeps_one_connection_so_no_batch_pays_for_a_pooled_connections_reset()
    {
        await using var rig = new StorageRig("postgres", cluster);
        var connectionString = await rig.ConnectionStringAsync();
        await cluster.LogStatementsAsync(connectionString);
        var store = (PostgresAuditStore)await OpenStoreAsync(rig);

        // The first batch may carry the reset of the connection the schema check used (the pool hands the same one back).
        store.Write([new AuditRecord(DateTimeOffset.UtcNow, "notes", "saved", "first", "ann")]);
        var from = cluster.LogPosition;
        for (var i = 0; i < 5; i++)
        {
            store.Write([new AuditRecord(DateTimeOffset.UtcNow, "notes", "saved", $"record {i}", "ann")]);
        }

        // A connection rented from the pool per batch came back with its reset (DISCARD, RESET ALL, ...) ahead of the next batch.
        var logged = cluster.LoggedStatements(connectionString, from);
        Assert.Equal(5, logged.Count(s => s.StartsWith("INSERT INTO audit_records", StringComparison.Ordinal)));
        Assert.Equal([], logged.Where(s => !s.StartsWith("INSERT INTO audit_records", StringComparison.Ordinal)));
        Assert.Equal(6, store.ReadLatest(10).Count);
        store.Dispose();
    }

    [Fact]
    public async Task A_write_after_the_writers_connection_broke_goes_out_on_a_new_one()
    {
        await using var rig = new StorageRig("postgres", cluster);
        var store = (PostgresAuditStore)await OpenStoreAsync(rig);
        store.Write([new AuditRecord(DateTimeOffset.UtcNow, "notes", "saved", "before", "ann")]);

        // The server ends the writer's session (a restart, a network cut, an administrator).
        var database = await rig.OpenDatabaseAsync();
        await using (var kill = database.DataSource.CreateCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'INSERT INTO audit_records%'"))
        {
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }

        // The batch that meets the broken connection fails (the log keeps and retries it); the next one reconnects.
        var record = new AuditRecord(DateTimeOffset.UtcNow, "notes", "saved", "after", "ann");
        try
        {
            store.Write([record]);
        }
        catch (AgentPlugins.Host.Storage.StorageException)
        {
            store.Write([record]);
        }

        Assert.Equal(["before", "after"], store.ReadLatest(10).Select(r => r.Details));
        store.Dispose();
    }

    private static async Task<AuditLog> OpenAsync(StorageRig rig)
    {
        var audit = new AuditLog(await NewStoreAsync(rig), TimeProvider.System, NullLogger<AuditLog>.Instance);
        await audit.OpenAsync();
        return audit;
    }

    private static async Task<IAuditStore> OpenStoreAsync(StorageRig rig)
    {
        var store = await NewStoreAsync(rig);
        await store.OpenAsync(CancellationToken.None);
        return store;
    }

    private static async Task<IAuditStore> NewStoreAsync(StorageRig rig) => rig.IsPostgres
        ? new PostgresAuditStore(await rig.OpenDatabaseAsync(), HostIdentity.Create(null))
        : new SqliteAuditStore(Path.Combine(rig.Folder.Path, "audit.db"));
}
