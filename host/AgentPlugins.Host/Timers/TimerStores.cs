using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Timers;

/// <summary>The timer store <c>storage:provider</c> chooses: the data folder's <c>timers.db</c>, or the shared PostgreSQL database.</summary>
internal static class TimerStores
{
    /// <param name="postgres">True when <c>storage:provider</c> is <c>postgres</c>.</param>
    /// <param name="dataFolder"><c>storage:dataFolder</c>: the SQLite file's folder, locked by the PostgreSQL store too (one host per folder).</param>
    /// <param name="lease"><c>storage:timerLease</c>.</param>
    public static ITimerStore Create(bool postgres, string dataFolder, TimeSpan lease, IServiceProvider services) => postgres
        ? new PostgresTimerStore(
            services.GetRequiredService<PostgresDatabase>(),
            services.GetRequiredService<HostIdentity>(),
            lease,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<PostgresTimerStore>>(),
            dataFolder)
        : new TimerStore(Path.Combine(dataFolder, "timers.db"));

    /// <summary>Retention of finished timers in the chosen store.</summary>
    public static IRetentionTarget Retention(bool postgres, string dataFolder, IServiceProvider services) => postgres
        ? PostgresTimerStore.Retention(services.GetRequiredService<PostgresDatabase>())
        : TimerStore.Retention(Path.Combine(dataFolder, "timers.db"));
}
