using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Store;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Tests.Store;

/// <summary>The role store on a real SQLite file, as a role sees it through <see cref="RoleStore"/>.</summary>
public sealed class RoleStoreTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private RoleStoreService _service = null!;

    private string StorePath => Path.Combine(_folder.Path, "store.db");

    public Task InitializeAsync()
    {
        _service = Open(quotaBytes: 64 * 1024);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Values_are_set_read_listed_by_prefix_and_deleted()
    {
        var store = For("notes", "ann").User;

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

    [Fact]
    public async Task Users_and_roles_never_see_each_others_keys()
    {
        await For("notes", "ann").User.SetAsync("k", "ann's");
        await For("notes", "bob").User.SetAsync("k", "bob's");
        await For("notes", "ann").Role.SetAsync("k", "shared");
        await For("diary", "ann").User.SetAsync("k", "diary's");

        Assert.Equal("ann's", await For("notes", "ann").User.GetAsync<string>("k"));
        Assert.Equal("bob's", await For("notes", "bob").User.GetAsync<string>("k"));
        Assert.Equal("shared", await For("notes", "bob").Role.GetAsync<string>("k"));
        Assert.Equal("diary's", await For("diary", "ann").User.GetAsync<string>("k"));
        Assert.Null(await For("notes", "ann", channel: "http").User.GetAsync<string>("k"));
    }

    [Fact]
    public async Task Values_survive_closing_and_reopening_the_file()
    {
        await For("notes", "ann").User.SetAsync("list", new List<string> { "a", "b" });
        await _service.DisposeAsync();

        _service = Open(quotaBytes: 64 * 1024);

        Assert.Equal(["a", "b"], await For("notes", "ann").User.GetAsync<List<string>>("list"));
    }

    [Fact]
    public async Task A_write_past_the_quota_is_refused_naming_role_key_and_quota_and_nothing_else_is_lost()
    {
        await _service.DisposeAsync();
        _service = Open(quotaBytes: 1024);
        var store = For("notes", "ann").User;
        await store.SetAsync("small", "kept");

        var refused = await Assert.ThrowsAsync<StoreQuotaException>(() => store.SetAsync("big", new string('x', 2000)));

        Assert.Contains("Role notes", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'big'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("quota of 1 KB (storage:roleStoreQuotaKilobytes)", refused.Message, StringComparison.Ordinal);
        Assert.Equal("kept", await store.GetAsync<string>("small"));
        Assert.Null(await store.GetAsync<string>("big"));

        // Another role has a quota of its own; shrinking a value is always allowed.
        await For("diary", "ann").User.SetAsync("entry", new string('y', 900));
        await store.SetAsync("small", "k");
        Assert.Equal("k", await store.GetAsync<string>("small"));
    }

    [Fact]
    public async Task Outside_an_intent_handler_the_store_reads_and_refuses_writes_clearly()
    {
        await For("notes", "ann").User.SetAsync("k", "v");
        var readOnly = new RoleStore(_service, "notes", Origin("ann"), "a tool", CancellationToken.None).User;

        Assert.Equal("v", await readOnly.GetAsync<string>("k"));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => readOnly.SetAsync("k", "w"));
        Assert.Equal("Role notes: the store is read-only in a tool (writing 'k'); return an intent and write in its intent handler (docs/roles.md).", refused.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => readOnly.UpdateAsync<int>("n", n => n + 1));
        await Assert.ThrowsAsync<InvalidOperationException>(() => readOnly.DeleteAsync("k"));
        Assert.Equal("v", await readOnly.GetAsync<string>("k"));
    }

    [Fact]
    public async Task A_key_deleted_and_written_again_never_shows_an_old_version()
    {
        var key = new StoreKey("notes", "role", "k");
        var first = await _service.ReplaceAsync(key, "1", null);
        await _service.ReplaceAsync(key, null, first);
        var second = await _service.ReplaceAsync(key, "1", 0);

        Assert.True(second > first);
        Assert.Null(await _service.ReplaceAsync(key, "2", first));
        Assert.Equal("1", (await _service.GetAsync(key))!.Json);
    }

    [Fact]
    public async Task An_update_that_lost_a_race_runs_again_on_the_newer_value()
    {
        var store = For("notes", "ann").Role;
        await store.SetAsync("n", 1);
        var runs = 0;

        var written = await store.UpdateAsync<int>("n", n =>
        {
            if (runs++ == 0)
            {
                // Another write lands between this update's read and its write.
                _ = _service.ReplaceAsync(new StoreKey("notes", "role", "n"), "10", null);
            }

            return n + 1;
        });

        Assert.Equal((11, 2), (written, runs));
        Assert.Equal(11, await store.GetAsync<int>("n"));
    }

    [Fact]
    public async Task Bad_keys_and_calls_without_a_user_are_refused_with_the_reason()
    {
        var store = For("notes", "ann").User;
        await Assert.ThrowsAsync<ArgumentException>(() => store.SetAsync("", 1));
        await Assert.ThrowsAsync<ArgumentException>(() => store.SetAsync(new string('k', StoreScope.MaxKeyLength + 1), 1));

        var noUser = new RoleStore(_service, "notes", new EventContext("console", null, DateTimeOffset.UnixEpoch, "host"), null, CancellationToken.None);
        var error = Assert.Throws<InvalidOperationException>(() => noUser.User);
        Assert.Contains("use context.Store.Role", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_the_role_store_is_refused_naming_it()
    {
        var foreign = Path.Combine(_folder.Path, "other", "store.db");
        _folder.Write(Path.Combine("other", "store.db"), "not a database at all, just text");

        var error = Assert.Throws<StorageException>(() => new RoleStoreService(foreign, 1024, TimeProvider.System, NullLogger<RoleStoreService>.Instance).Open());

        Assert.Contains(foreign, error.Message, StringComparison.Ordinal);
        Assert.Contains("not an SQLite file", error.Message, StringComparison.Ordinal);
    }

    private RoleStoreService Open(long quotaBytes)
    {
        var service = new RoleStoreService(StorePath, quotaBytes, TimeProvider.System, NullLogger<RoleStoreService>.Instance);
        service.Open();
        return service;
    }

    private RoleStore For(string role, string user, string channel = "console") =>
        new(_service, role, Origin(user, channel), null, CancellationToken.None);

    private static EventContext Origin(string user, string channel = "console") => new(channel, user, DateTimeOffset.UnixEpoch, "test");
}
