using AgentPlugins.Host.Store;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Testing;

// The host's own role store (RoleStoreService on a store.db, quota included) in a temporary folder of
// its own, opened on first use (most tests never touch the store) and deleted with the harness.
internal sealed class TemporaryStore(long quotaBytes, TimeProvider clock) : IStoreService, IDisposable
{
    private readonly Lock _gate = new();
    private RoleStoreService? _store;
    private string? _folder;
    private bool _disposed;

    /// <summary>The store.db file, once the store was first used; null before.</summary>
    public string? Path => _store?.Path;

    public Task<StoredValue?> GetAsync(StoreKey key, CancellationToken cancellationToken = default) => Store.GetAsync(key, cancellationToken);

    public Task<long?> ReplaceAsync(StoreKey key, string? json, long? expectedVersion, CancellationToken cancellationToken = default) =>
        Store.ReplaceAsync(key, json, expectedVersion, cancellationToken);

    public Task<IReadOnlyList<StoredEntry>> ListAsync(string role, string scope, string prefix, CancellationToken cancellationToken = default) =>
        Store.ListAsync(role, scope, prefix, cancellationToken);

    public void Dispose()
    {
        RoleStoreService? store;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            store = _store;
        }

        // Carries out what is queued and closes the file (the connection is not pooled), then the folder goes.
        store?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private RoleStoreService Store
    {
        get
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_store is null)
                {
                    _folder = Directory.CreateTempSubdirectory("agentplugins-harness-").FullName;
                    var store = new RoleStoreService(System.IO.Path.Combine(_folder, "store.db"), quotaBytes, clock, NullLogger<RoleStoreService>.Instance);
                    store.Open();
                    _store = store;
                }

                return _store;
            }
        }
    }
}
