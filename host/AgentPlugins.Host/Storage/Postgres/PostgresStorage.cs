using Microsoft.Extensions.DependencyInjection;

namespace AgentPlugins.Host.Storage.Postgres;

/// <summary>Composition of the PostgreSQL provider: added by <c>AddAgentPlugins</c> only when <c>storage:provider</c> is <c>postgres</c>.</summary>
internal static class PostgresStorage
{
    /// <summary>The fewest thread-pool threads a host on PostgreSQL keeps ready (see <see cref="AddPostgresStorage"/>).</summary>
    public const int MinPoolThreads = 16;

    /// <summary>Adds the shared <see cref="PostgresDatabase"/> (one data source per host) and this host's <see cref="HostIdentity"/>.</summary>
    /// <param name="connectionString">From <c>storage:connectionString</c> or the variable <c>storage:connectionStringVariable</c> names.</param>
    /// <param name="hostId"><c>storage:hostId</c>, or null for machine name, process id and start time.</param>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services, string? connectionString, string? hostId)
    {
        ArgumentNullException.ThrowIfNull(services);

        // The stores' workers (timers, role store, audit, lease renewal) make synchronous Npgsql calls from
        // pool threads, and such a call can wait for another pool thread. With the default minimum (one per
        // core) the pool ran dry under load and added threads at its slow pace: timer expiries stalled
        // 0.6-1.7 s in the scale-out bench (p99 lateness 1.6 s, against 21 ms with this minimum).
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, MinPoolThreads), Math.Max(io, MinPoolThreads));

        // Validated at start-up (StorageOptionsRules): a missing variable stops the host before the database is asked for.
        services.AddSingleton(_ => new PostgresDatabase(connectionString
            ?? throw new ConfigurationException("'storage:connectionString' or 'storage:connectionStringVariable' must give a connection string when storage:provider is postgres.")));
        services.AddSingleton(_ => HostIdentity.Create(hostId));
        return services;
    }
}
