using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Store;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Tests.Store;

/// <summary>The role store on a real SQLite file and a real PostgreSQL database, as a role sees it through <see cref="RoleStore"/>.</summary>
[Collection(PostgresTests.Name)]
public sealed class RoleStoreTests(PostgresCluster cluster)
{
    public static TheoryData<string> Providers => [.. StorageRig.Providers];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Values_are_set_read_listed_by_prefix_and_deleted(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        var service = await rig.OpenStoreAsync(quotaBytes: 64 * 1024);
        var store = For(service, "notes", "ann").User;

        await store.SetAsync("note:1", "tea");
        await store.SetAsync("note:2", "milk");
        await store.SetAsync("other", 3);
        await store.SetAsync("nöte:ü", "unicode");

        Assert.Equal("tea", await store.GetAsync<string>("note:1"));
        Assert.Equal(3, await store.GetAsync<int>("other"));
        Assert.Equal(["note:1", "note:2"], (await store.ListAsync<string>("note:")).Select(e => e.Key));
        Assert.Equal("unicode", Assert.Single(await store.ListAsync<string>("nö")).Value);
        Assert.Equal(4, (await store.ListAsync<object>()).Count);

        Assert.True(await store.DeleteAsync("note:1"));
        Assert.False(await store.DeleteAsync("note:1"));
        Assert.Null(await store.GetAsync<string>("note:1"));
        Assert.Equal(0, await store.GetAsync<int>("missing"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Users_and_roles_never_see_each_others_keys(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        var service = await rig.OpenStoreAsync(quotaBytes: 64 * 1024);
        await For(service, "notes", "ann").User.SetAsync("k", "ann's");
        await For(service, "notes", "bob").User.SetAsync("k", "bob's");
        await For(service, "notes", "ann").Role.SetAsync("k", "shared");
        await For(service, "diary", "ann").User.SetAsync("k", "diary's");

        Assert.Equal("ann's", await For(service, "notes", "ann").User.GetAsync<string>("k"));
        Assert.Equal("bob's", await For(service, "notes", "bob").User.GetAsync<string>("k"));
        Assert.Equal("shared", await For(service, "notes", "bob").Role.GetAsync<string>("k"));
        Assert.Equal("diary's", await For(service, "diary", "ann").User.GetAsync<string>("k"));
        Assert.Null(await For(service, "notes", "ann", channel: "http").User.GetAsync<string>("k"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Values_survive_closing_and_reopening_the_file(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        var service = await rig.OpenStoreAsync(quotaBytes: 64 * 1024);
        await For(service, "notes", "ann").User.SetAsync("list", new List<string> { "a", "b" });
        await service.DisposeAsync();

        var reopened = await rig.OpenStoreAsync(quotaBytes: 64 * 1024);

        Assert.Equal(["a", "b"], await For(reopened, "notes", "ann").User.GetAsync<List<string>>("list"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_write_past_the_quota_is_refused_naming_role_key_and_quota_and_nothing_else_is_lost(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        var service = await rig.OpenStoreAsync(quotaBytes: 1024);
        var store = For(service, "notes", "ann").User;
        await store.SetAsync("small", "kept");

        var refused = await Assert.ThrowsAsync<StoreQuotaException>(() => store.SetAsync("big", new string('x', 2000)));

        Assert.Contains("Role notes", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'big'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("quota of 1 KB (storage:roleStoreQuotaKilobytes)", refused.Message, StringComparison.Ordinal);
        Assert.Equal("kept", await store.GetAsync<string>("small"));
        Assert.Null(await store.GetAsync<string>("big"));

        // Another role has a quota of its own; shrinking a value is always allowed.
        await For(service, "diary", "ann").User.SetAsync("entry", new string('y', 900));
        await store.SetAsync("small", "k");
        Assert.Equal("k", await store.GetAsync<string>("small"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Retention_deletes_keys_not_written_since_the_cutoff_oldest_first_and_gives_their_bytes_back_to_the_quota(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var service = await rig.OpenStoreAsync(quotaBytes: 1024, clock);
        var notes = For(service, "notes", "ann").User;
        var diary = For(service, "diary", "ann").User;
        await notes.SetAsync("old-1", new string('a', 400));
        clock.Advance(TimeSpan.FromMinutes(1));
        await diary.SetAsync("old-2", "dear diary");
        clock.Advance(TimeSpan.FromMinutes(1));
        await notes.SetAsync("old-3", new string('b', 400));
        clock.Advance(TimeSpan.FromMinutes(1));
        await notes.SetAsync("rewritten", "v1");
        clock.Advance(TimeSpan.FromDays(40));
        await notes.SetAsync("rewritten", "v2");
        clock.Advance(TimeSpan.FromMinutes(1));
        await notes.SetAsync("new", "fresh");
        var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(30);
        await Assert.ThrowsAsync<StoreQuotaException>(() => notes.SetAsync("big", new string('c', 300)));
        var retention = rig.IsPostgres ? PostgresRoleStore.Retention(await rig.OpenDatabaseAsync()) : RoleStoreFile.Retention(Path.Combine(rig.Folder.Path, "store.db"));

        var pruned = new[] { retention.PruneOlderThan(cutoff, 2), retention.PruneOlderThan(cutoff, 2), retention.PruneOlderThan(cutoff, 2) };

        Assert.Equal("store", retention.Name);
        Assert.Equal([2, 1, 0], pruned);
        Assert.Null(await notes.GetAsync<string>("old-1"));
        Assert.Null(await diary.GetAsync<string>("old-2"));
        Assert.Null(await notes.GetAsync<string>("old-3"));
        Assert.Equal("v2", await notes.GetAsync<string>("rewritten"));
        Assert.Equal("fresh", await notes.GetAsync<string>("new"));

        // The 800 bytes the old values held count no more against the role's quota.
        clock.Advance(TimeSpan.FromMinutes(1));
        await notes.SetAsync("big", new string('c', 300));
        Assert.Equal(1, retention.PruneOldest(1));
        Assert.Null(await notes.GetAsync<string>("rewritten"));
        Assert.Equal(["big", "new"], (await notes.ListAsync<string>()).Select(e => e.Key).Order());
        Assert.True(retention.DataBytes() > 0);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Outside_an_intent_handler_the_store_reads_and_refuses_writes_clearly(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        var service = await rig.OpenStoreAsync(quotaBytes: 64 * 1024);
        await For(service, "notes", "ann").User.SetAsync("k", "v");
        var readOnly = new RoleStore(service, "notes", Origin("ann"), "a tool", CancellationToken.None).User;

        Assert.Equal("v", await readOnly.GetAsync<string>("k"));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => readOnly.SetAsync("k", "w"));
        Assert.Equal("Role notes: the store is read-only in a tool (writing 'k'); return an intent and write in its intent handler (docs/roles.md).", refused.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => readOnly.UpdateAsync<int>("n", n => n + 1));
        await Assert.ThrowsAsync<InvalidOperationException>(() => readOnly.DeleteAsync("k"));
        Assert.Equal("v", await readOnly.GetAsync<string>("k"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_key_deleted_and_written_again_never_shows_an_old_version(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        var service = await rig.OpenStoreAsync(quotaBytes: 64 * 1024);
        var key = new StoreKey("notes", "role", "k");
        var first = await service.ReplaceAsync(key, "1", null);
        await service.ReplaceAsync(key, null, first);
        var second = await service.ReplaceAsync(key, "1", 0);

        Assert.True(second > first);
        Assert.Null(await service.ReplaceAsync(key, "2", first));
        Assert.Equal("1", (await service.GetAsync(key))!.Json);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_update_that_lost_a_race_runs_again_on_the_newer_value(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        var service = await rig.OpenStoreAsync(quotaBytes: 64 * 1024);
        var store = For(service, "notes", "ann").Role;
        await store.SetAsync("n", 1);
        var runs = 0;

        var written = await store.UpdateAsync<int>("n", n =>
        {
            if (runs++ == 0)
            {
                // Another write lands between this update's read and its write.
                _ = service.ReplaceAsync(new StoreKey("notes", "role", "n"), "10", null);
            }

            return n + 1;
        });

        Assert.Equal((11, 2), (written, runs));
        Assert.Equal(11, await store.GetAsync<int>("n"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Bad_keys_and_calls_without_a_user_are_refused_with_the_reason(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        var service = await rig.OpenStoreAsync(quotaBytes: 64 * 1024);
        var store = For(service, "notes", "ann").User;
        await Assert.ThrowsAsync<ArgumentException>(() => store.SetAsync("", 1));
        await Assert.ThrowsAsync<ArgumentException>(() => store.SetAsync(new string('k', StoreScope.MaxKeyLength + 1), 1));

        var noUser = new RoleStore(service, "notes", new EventContext("console", null, DateTimeOffset.UnixEpoch, "host"), null, CancellationToken.None);
        var error = Assert.Throws<InvalidOperationException>(() => noUser.User);
        Assert.Contains("use context.Store.Role", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Concurrent_updates_of_one_key_lose_no_increment(string provider)
    {
        await using var rig = new StorageRig(provider, cluster);
        var service = await rig.OpenStoreAsync(quotaBytes: 64 * 1024);
        var store = For(service, "counter", "ann").Role;

        // Three writers, each updating one after another, all racing on one key. An update that keeps losing
        // gives up with a clear error and writes nothing; every update that returned is counted exactly once.
        var done = 0;
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                try
                {
                    await store.UpdateAsync<int>("n", n => n + 1);
                    Interlocked.Increment(ref done);
                }
                catch (InvalidOperationException ex) when (ex.Message.Contains("kept changing", StringComparison.Ordinal))
                {
                    // Starved under this artificial contention; nothing was written.
                }
            }
        })));

        Assert.True(done >= 100, $"only {done} of 300 updates went through");
        Assert.Equal(done, await store.GetAsync<int>("n"));
    }

    [Fact]
    public async Task Retention_on_two_hosts_while_three_roles_write_never_deadlocks_and_keeps_every_quota_exact()
    {
        await using var rig = new StorageRig("postgres", cluster);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var writer = await rig.OpenStoreAsync(quotaBytes: 1024 * 1024, clock);
        string[] roles = ["a", "b", "c"];
        foreach (var role in roles)
        {
            for (var i = 0; i < 100; i++)
            {
                await For(writer, role, "ann").User.SetAsync($"k{i}", new string('x', 10 + i));
            }
        }

        clock.Advance(TimeSpan.FromDays(2));
        var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(1);
        var retentions = new[] { PostgresRoleStore.Retention(await rig.OpenDatabaseAsync()), PostgresRoleStore.Retention(await rig.OpenDatabaseAsync()) };

        // Writers rewrite and delete keys of every role (each call locks its role's usage row, then the entry)
        // while two hosts prune across all roles in small batches: a lock-order mistake deadlocks here.
        var writes = roles.Select(role => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i += 3)
            {
                await For(writer, role, "ann").User.SetAsync($"k{i}", "rewritten");
                await For(writer, role, "ann").User.DeleteAsync($"k{i + 1}");
            }
        }));
        var prunes = retentions.Select(retention => Task.Run(() =>
        {
            var total = 0;
            int pruned;
            while ((pruned = retention.PruneOlderThan(cutoff, 7)) > 0)
            {
                total += pruned;
            }

            return total;
        }));
        await Task.WhenAll(writes);
        var prunedTotal = (await Task.WhenAll(prunes)).Sum() + retentions[0].PruneOlderThan(cutoff, 1000);

        await using var database = await rig.OpenDatabaseAsync();
        await using var check = database.DataSource.CreateCommand("""
            SELECT u.role, u.bytes, COALESCE((SELECT sum(bytes) FROM store_entries e WHERE e.role = u.role), 0)::bigint FROM store_usage u ORDER BY u.role
            """);
        await using var rows = await check.ExecuteReaderAsync();
        var usage = new List<(string Role, long Counted, long Actual)>();
        while (await rows.ReadAsync())
        {
            usage.Add((rows.GetString(0), rows.GetInt64(1), rows.GetInt64(2)));
        }

        Assert.Equal(roles, usage.Select(u => u.Role));
        Assert.All(usage, u => Assert.Equal(u.Actual, u.Counted));
        foreach (var role in roles)
        {
            Assert.Equal(34, (await For(writer, role, "ann").User.ListAsync<string>()).Count);
        }

        Assert.InRange(prunedTotal, 3 * 100 - 3 * 34 - 3 * 33, 3 * 100 - 3 * 34);
    }

    [Fact]
    public async Task Three_hosts_updating_one_key_on_one_database_lose_no_increment_and_share_the_quota()
    {
        await using var rig = new StorageRig("postgres", cluster);
        var hosts = new[]
        {
            await rig.OpenStoreAsync(quotaBytes: 1024),
            await rig.OpenStoreAsync(quotaBytes: 1024),
            await rig.OpenStoreAsync(quotaBytes: 1024),
        };

        // Each host its own connection pool and its own writer (a host's loop runs one handler step at a time); 3 x 150 updates race on one key.
        await Task.WhenAll(hosts.Select(host => Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                await For(host, "counter", "ann").Role.UpdateAsync<int>("n", n => n + 1);
            }
        })));

        Assert.Equal(450, await For(hosts[2], "counter", "ann").Role.GetAsync<int>("n"));

        // The quota is the role's across hosts: host 0 fills it, host 1 is refused.
        await For(hosts[0], "counter", "ann").Role.SetAsync("fill", new string('x', 900));
        var refused = await Assert.ThrowsAsync<StoreQuotaException>(() => For(hosts[1], "counter", "ann").Role.SetAsync("more", new string('y', 200)));
        Assert.Contains("Role counter", refused.Message, StringComparison.Ordinal);
        await For(hosts[2], "counter", "ann").Role.DeleteAsync("fill");
        await For(hosts[1], "counter", "ann").Role.SetAsync("more", new string('y', 200));
    }

    [Fact]
    public async Task A_database_that_cannot_be_reached_is_refused_naming_it()
    {
        await using var database = new AgentPlugins.Host.Storage.Postgres.PostgresDatabase("Host=127.0.0.1;Port=1;Database=nowhere;Username=x;Timeout=2");
        var store = new PostgresRoleStore(database, AgentPlugins.Host.Storage.Postgres.HostIdentity.Create("test"), 1024, TimeProvider.System);

        var error = await Assert.ThrowsAsync<StorageException>(() => store.OpenAsync(CancellationToken.None));

        Assert.Contains("127.0.0.1:1/nowhere", error.Message, StringComparison.Ordinal);
        var read = await Assert.ThrowsAsync<StorageException>(() => store.GetAsync(new StoreKey("notes", "role", "k")));
        Assert.Contains("127.0.0.1:1/nowhere", read.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_the_role_store_is_refused_naming_it()
    {
        await using var rig = new StorageRig("sqlite", cluster);
        var foreign = Path.Combine(rig.Folder.Path, "other", "store.db");
        rig.Folder.Write(Path.Combine("other", "store.db"), "not a database at all, just text");

        var error = Assert.Throws<StorageException>(() => new RoleStoreService(foreign, 1024, TimeProvider.System, NullLogger<RoleStoreService>.Instance).Open());

        Assert.Contains(foreign, error.Message, StringComparison.Ordinal);
        Assert.Contains("not an SQLite file", error.Message, StringComparison.Ordinal);
    }

    private static RoleStore For(IStoreService service, string role, string user, string channel = "console") =>
        new(service, role, Origin(user, channel), null, CancellationToken.None);

    private static EventContext Origin(string user, string channel = "console") => new(channel, user, DateTimeOffset.UnixEpoch, "test");
}
