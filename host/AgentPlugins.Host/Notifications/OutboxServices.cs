using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Notifications;

/// <summary>Composition of the outbox: the SQLite file in the data folder, or the shared PostgreSQL database.</summary>
internal static class OutboxServices
{
    public static IServiceCollection AddNotificationOutbox(this IServiceCollection services, StorageOptions storage, OutboxOptions outbox)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (storage.IsPostgres)
        {
            // Resolved while the host is composed, before anything runs on the loop: opening waits for the database once.
            services.AddSingleton<NotificationOutbox>(sp => PostgresNotificationOutbox.OpenAsync(
                sp.GetRequiredService<PostgresDatabase>(),
                sp.GetRequiredService<HostIdentity>(),
                outbox,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<NotificationOutbox>>()).GetAwaiter().GetResult());
        }
        else
        {
            services.AddSingleton(sp => NotificationOutbox.Open(
                Path.Combine(storage.DataFolder, "outbox.db"),
                outbox,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<NotificationOutbox>>()));
        }

        return services;
    }
}
