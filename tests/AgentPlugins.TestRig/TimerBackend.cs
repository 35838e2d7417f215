using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Host.Timers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AgentPlugins.Tests.Support;

/// <summary>
/// Where a test's timers are kept, so the same timer tests run against each provider: a SQLite file,
/// or a fresh database on the run's <see cref="PostgresCluster"/>. Each <see cref="CreateStore"/> is a
/// new host process's store on the same data (a restart); PostgreSQL stores share one host id by
/// default, so a restarted store finds its own claims again, as a host with <c>storage:hostId</c> does.
/// </summary>
public abstract class TimerBackend : IAsyncDisposable
{
    /// <summary>The providers the provider-neutral tests run against (xUnit member data).</summary>
    public static IEnumerable<object[]> Providers { get; } = [["sqlite"], ["postgres"]];

    /// <summary>The file or database, as the store names it.</summary>
    public abstract string Name { get; }

    /// <summary>A backend for <paramref name="provider"/>: a SQLite file in <paramref name="folder"/>, or a new database on <paramref name="cluster"/>.</summary>
    public static async Task<TimerBackend> CreateAsync(string provider, string folder, PostgresCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return provider switch
        {
            "sqlite" => new SqliteBackend(Path.Combine(folder, "data", "timers.db")),
            "postgres" => new PostgresBackend(await cluster.CreateDatabaseAsync()),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "sqlite or postgres"),
        };
    }

    /// <summary>A new store on this backend, for one host (<paramref name="hostId"/> on PostgreSQL; ignored on SQLite).</summary>
    internal abstract ITimerStore CreateStore(TimeProvider clock, string hostId = "rig-host", TimeSpan? lease = null);

    /// <summary>How many timers are in <paramref name="state"/>, read apart from any store.</summary>
    public abstract long Count(string state);

    /// <summary>How many timers host <paramref name="hostId"/> holds <c>firing</c> (on SQLite the file's one host holds them all).</summary>
    public abstract long CountFiringBy(string hostId);

    public abstract ValueTask DisposeAsync();

    private sealed class SqliteBackend(string path) : TimerBackend
    {
        public override string Name => path;

        internal override ITimerStore CreateStore(TimeProvider clock, string hostId = "rig-host", TimeSpan? lease = null) => new TimerStore(path);

        public override long Count(string state) => TimerRig.CountInFile(path, state);

        public override long CountFiringBy(string hostId) => Count("firing");

        public override ValueTask DisposeAsync()
        {
            SqliteConnection.ClearAllPools();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class PostgresBackend(string connectionString) : TimerBackend
    {
        private readonly PostgresDatabase _database = new(connectionString);
        private readonly List<PostgresDatabase> _opened = [];

        public override string Name => _database.Name;

        internal override ITimerStore CreateStore(TimeProvider clock, string hostId = "rig-host", TimeSpan? lease = null)
        {
            // Its own data source per store, as each host process has.
            var database = new PostgresDatabase(connectionString);
            _opened.Add(database);
            return new PostgresTimerStore(database, new HostIdentity(hostId), lease ?? TimeSpan.FromSeconds(30), clock, NullLogger<PostgresTimerStore>.Instance);
        }

        public override long Count(string state)
        {
            using var count = _database.DataSource.CreateCommand("SELECT count(*) FROM timers WHERE state = $1");
            count.Parameters.Add(new NpgsqlParameter { Value = state });
            return (long)count.ExecuteScalar()!;
        }

        public override long CountFiringBy(string hostId)
        {
            using var count = _database.DataSource.CreateCommand("SELECT count(*) FROM timers WHERE state = 'firing' AND claimed_by = $1");
            count.Parameters.Add(new NpgsqlParameter { Value = hostId });
            return (long)count.ExecuteScalar()!;
        }

        public override async ValueTask DisposeAsync()
        {
            foreach (var database in _opened)
            {
                await database.DisposeAsync();
            }

            await _database.DisposeAsync();
        }
    }
}
