using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Host.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Tests.Support;

/// <summary>
/// The durable stores on one provider, so one test runs against both: <c>sqlite</c> (files in a
/// temporary data folder) or <c>postgres</c> (a fresh database on the run's <see cref="PostgresCluster"/>).
/// Each open is a new instance on the same file or database; on PostgreSQL each has its own
/// connection pool, as another host would. Disposing closes what was opened and removes the folder.
/// </summary>
internal sealed class StorageRig(string provider, PostgresCluster cluster) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _opened = [];
    private string? _connectionString;

    /// <summary>The providers a test runs on.</summary>
    public static IReadOnlyList<string> Providers { get; } = ["sqlite", "postgres"];

    public string Provider { get; } = provider;

    public bool IsPostgres => Provider == "postgres";

    /// <summary>The SQLite data folder (used on both providers for what stays local).</summary>
    public TempFolder Folder { get; } = new();

    /// <summary>The test's database (created on first use); only on <c>postgres</c>.</summary>
    public async Task<string> ConnectionStringAsync() => _connectionString ??= await cluster.CreateDatabaseAsync().ConfigureAwait(false);

    /// <summary>A new connection pool on the test's database, as one host has; closed with the rig.</summary>
    public async Task<PostgresDatabase> OpenDatabaseAsync()
    {
        var database = new PostgresDatabase(await ConnectionStringAsync().ConfigureAwait(false));
        _opened.Add(database);
        return database;
    }

    /// <summary>Opens the role store (a new instance on the same file or database).</summary>
    public async Task<IRoleStore> OpenStoreAsync(long quotaBytes, TimeProvider? clock = null)
    {
        IRoleStore store = IsPostgres
            ? new PostgresRoleStore(await OpenDatabaseAsync().ConfigureAwait(false), HostIdentity.Create(null), quotaBytes, clock ?? TimeProvider.System)
            : new RoleStoreService(Path.Combine(Folder.Path, "store.db"), quotaBytes, clock ?? TimeProvider.System, NullLogger<RoleStoreService>.Instance);
        await store.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        _opened.Insert(0, store);
        return store;
    }

    /// <summary>Registers something to close with the rig (before the databases it uses).</summary>
    public T Closes<T>(T opened)
        where T : IAsyncDisposable
    {
        _opened.Insert(0, opened);
        return opened;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var opened in _opened)
        {
            await opened.DisposeAsync().ConfigureAwait(false);
        }

        _opened.Clear();
        Folder.Dispose();
    }
}
