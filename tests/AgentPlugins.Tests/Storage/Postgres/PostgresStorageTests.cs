using AgentPlugins.Host.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace AgentPlugins.Tests.Storage.Postgres;

/// <summary>The PostgreSQL provider's composition.</summary>
public sealed class PostgresStorageTests
{
    [Fact]
    public void A_host_on_postgres_keeps_enough_pool_threads_ready_for_the_stores_synchronous_calls()
    {
        new ServiceCollection().AddPostgresStorage("Host=127.0.0.1;Database=agentplugins", hostId: null);

        ThreadPool.GetMinThreads(out var workers, out var io);
        Assert.True(workers >= PostgresStorage.MinPoolThreads, $"{workers} worker threads");
        Assert.True(io >= PostgresStorage.MinPoolThreads, $"{io} I/O threads");
    }
}
