using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Sdk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentPlugins.Host.Store;

/// <summary>Composition of the role store: the SQLite file in the data folder, or the shared PostgreSQL database.</summary>
internal static class RoleStoreServices
{
    /// <summary>Adds <see cref="IRoleStore"/> (and <see cref="IStoreService"/>, what roles reach) for <paramref name="storage"/>'s provider.</summary>
    public static IServiceCollection AddRoleStore(this IServiceCollection services, StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (storage.IsPostgres)
        {
            services.AddSingleton<IRoleStore>(sp => new PostgresRoleStore(
                sp.GetRequiredService<PostgresDatabase>(),
                sp.GetRequiredService<HostIdentity>(),
                Storage(sp).RoleStoreQuotaKilobytes * 1024L,
                sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            services.AddSingleton<IRoleStore>(sp => new RoleStoreService(
                Path.Combine(Storage(sp).DataFolder, "store.db"),
                Storage(sp).RoleStoreQuotaKilobytes * 1024L,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<RoleStoreService>>()));
        }

        services.AddSingleton<IStoreService>(sp => sp.GetRequiredService<IRoleStore>());
        return services;
    }

    private static StorageOptions Storage(IServiceProvider services) => services.GetRequiredService<IOptions<AgentPluginsOptions>>().Value.Storage;
}
