using Microsoft.Extensions.DependencyInjection;

namespace AgentPlugins.Host.Storage.Postgres;

/// <summary>Composition of the PostgreSQL provider: added by <c>AddAgentPlugins</c> only when <c>storage:provider</c> is <c>postgres</c>.</summary>
internal static class PostgresStorage
{
    /// <summary>Adds the shared <see cref="PostgresDatabase"/> (one data source per host) and this host's <see cref="HostIdentity"/>.</summary>
    /// <param name="connectionString">From <c>storage:connectionString</c> or the variable <c>storage:connectionStringVariable</c> names.</param>
    /// <param name="hostId"><c>storage:hostId</c>, or null for machine name, process id and start time.</param>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services, string? connectionString, string? hostId)
    {
        ArgumentNullException.ThrowIfNull(services);

        // Validated at start-up (StorageOptionsRules): a missing variable stops the host before the database is asked for.
        services.AddSingleton(_ => new PostgresDatabase(connectionString
            ?? throw new ConfigurationException("'storage:connectionString' or 'storage:connectionStringVariable' must give a connection string when storage:provider is postgres.")));
        services.AddSingleton(_ => HostIdentity.Create(hostId));
        return services;
    }
}
