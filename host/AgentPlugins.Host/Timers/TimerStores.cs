using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Timers;

/// <summary>The timer store <c>storage:provider</c> chooses: the data folder's <c>timers.db</c>, or the shared PostgreSQL database.</summary>
internal static class TimerStores
{
    public static ITimerStore Create(StorageOptions storage, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return storage.IsPostgres
            ? new PostgresTimerStore(
                services.GetRequiredService<PostgresDatabase>(),
                services.GetRequiredService<HostIdentity>(),
                storage.TimerLease,
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILogger<PostgresTimerStore>>(),
                storage.DataFolder)
            : new TimerStore(Path.Combine(storage.DataFolder, "timers.db"));
    }

    /// <summary>Retention of finished timers in the chosen store.</summary>
    public static IRetentionTarget Retention(StorageOptions storage, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return storage.IsPostgres
            ? PostgresTimerStore.Retention(services.GetRequiredService<PostgresDatabase>())
            : TimerStore.Retention(Path.Combine(storage.DataFolder, "timers.db"));
    }
}
