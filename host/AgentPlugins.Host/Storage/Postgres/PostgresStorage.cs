using AgentPlugins.Host.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentPlugins.Host.Storage.Postgres;

/// <summary>Composition of the PostgreSQL provider: added by <c>AddAgentPlugins</c> only when <c>storage:provider</c> is <c>postgres</c>.</summary>
internal static class PostgresStorage
{
    /// <summary>Adds the shared <see cref="PostgresDatabase"/> (one data source per host) and this host's <see cref="HostIdentity"/>.</summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<AgentPluginsOptions>>().Value.Storage;

            // Validated at start-up (StorageOptionsRules): a missing variable stops the host before this runs.
            var connectionString = storage.ResolveConnectionString(Environment.GetEnvironmentVariable)
                ?? throw new ConfigurationException("'storage:connectionString' or 'storage:connectionStringVariable' must give a connection string when storage:provider is postgres.");
            return new PostgresDatabase(connectionString);
        });
        services.AddSingleton(sp => HostIdentity.Create(sp.GetRequiredService<IOptions<AgentPluginsOptions>>().Value.Storage.HostId));
        return services;
    }
}
