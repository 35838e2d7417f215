using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentPlugins.Host.Hosting.Cluster;

/// <summary>Composition of the cluster status: only with <c>storage:provider</c> <c>postgres</c>.</summary>
internal static class ClusterServices
{
    public static IServiceCollection AddClusterStatus(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ClusterStatusPublisher(
            sp.GetRequiredService<PostgresDatabase>(),
            sp.GetRequiredService<HostIdentity>(),
            sp.GetRequiredService<RoleLifecycle>(),
            sp.GetRequiredService<IOptions<AgentPluginsOptions>>().Value.Roles.Folder,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ClusterStatusPublisher>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ClusterStatusPublisher>());
        return services;
    }
}
