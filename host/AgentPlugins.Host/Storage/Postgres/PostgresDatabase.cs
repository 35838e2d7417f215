using Npgsql;

namespace AgentPlugins.Host.Storage.Postgres;

/// <summary>
/// The PostgreSQL database the hosts share (<c>storage:provider</c> <c>postgres</c>): one pooled
/// <see cref="NpgsqlDataSource"/> per host, and the database's name as every error shows it
/// (host, port and database from the connection string, never the password).
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    /// <summary>What <c>pg_stat_activity.application_name</c> shows for the host's connections.</summary>
    public const string ApplicationName = "agentplugins";

    public PostgresDatabase(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = ApplicationName;
        }

        // The stores run the same few statements all day: prepared once per connection, parsed once.
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
        }

        Name = Describe(builder);
        DataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary><c>host:port/database</c>, as errors name it.</summary>
    public string Name { get; }

    /// <summary>Hands out pooled connections; thread-safe.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>Opens a pooled connection; a failure is a <see cref="StorageException"/> naming the database.</summary>
    public async Task<NpgsqlConnection> OpenAsync(string doing, CancellationToken cancellationToken = default)
    {
        try
        {
            return await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            throw PostgresErrors.Explain(Name, doing, ex);
        }
    }

    /// <summary>Opens a pooled connection from a thread that may block (a store's worker).</summary>
    public NpgsqlConnection Open(string doing)
    {
        try
        {
            return DataSource.OpenConnection();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            throw PostgresErrors.Explain(Name, doing, ex);
        }
    }

    /// <summary><c>host:port/database</c> of a connection string, without its password.</summary>
    public static string Describe(string connectionString) => Describe(new NpgsqlConnectionStringBuilder(connectionString));

    private static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        var host = string.IsNullOrEmpty(builder.Host) ? "localhost" : builder.Host;
        var database = string.IsNullOrEmpty(builder.Database) ? builder.Username ?? Environment.UserName : builder.Database;
        return $"{host}:{builder.Port}/{database}";
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    public void Dispose() => DataSource.Dispose();
}
