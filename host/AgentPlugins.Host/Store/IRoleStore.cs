using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Store;

/// <summary>
/// The roles' durable store as the host owns it: <see cref="RoleStoreService"/> (SQLite, the default)
/// or <c>PostgresRoleStore</c> (one database several hosts share), chosen by <c>storage:provider</c>.
/// </summary>
internal interface IRoleStore : IStoreService, IAsyncDisposable
{
    /// <summary>The file or database, as named in every error.</summary>
    string Path { get; }

    /// <summary>Makes the store ready (creating or migrating its schema); refuses a damaged, foreign or newer one.</summary>
    /// <exception cref="Storage.StorageException">The store cannot be used; the message names it.</exception>
    Task OpenAsync(CancellationToken cancellationToken);
}
