namespace AgentPlugins.Host.Configuration;

/// <summary>plugins.json <c>storage</c>: where the host keeps what must survive it.</summary>
internal sealed record StorageOptions
{
    /// <summary>The value of <see cref="Provider"/> for the embedded SQLite files under <see cref="DataFolder"/> (the default).</summary>
    public const string Sqlite = "sqlite";

    /// <summary>The value of <see cref="Provider"/> for one PostgreSQL database shared by several hosts.</summary>
    public const string Postgres = "postgres";

    /// <summary>The values <see cref="Provider"/> may take.</summary>
    public static IReadOnlyList<string> Providers { get; } = [Sqlite, Postgres];

    /// <summary>The folder for the host's SQLite files; relative to plugins.json.</summary>
    public string DataFolder { get; init; } = "data";

    /// <summary>The most one role's durable store (<c>context.Store</c>) may hold: its keys and JSON values in UTF-8.</summary>
    public int RoleStoreQuotaKilobytes { get; init; } = 10 * 1024;

    /// <summary><c>sqlite</c> (files in the data folder) or <c>postgres</c> (a database several hosts share).</summary>
    public string Provider { get; init; } = Sqlite;

    /// <summary>The PostgreSQL connection string (Npgsql's form); prefer <see cref="ConnectionStringVariable"/> when it holds a password.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The environment variable holding the PostgreSQL connection string.</summary>
    public string? ConnectionStringVariable { get; init; }

    /// <summary>This host's name among the hosts sharing the database; null for machine name, process id and start time.</summary>
    public string? HostId { get; init; }

    /// <summary>How long a host holds the due timers it claimed before another host may fire them (a host that died).</summary>
    public TimeSpan TimerLease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>True when <see cref="Provider"/> is <c>postgres</c>.</summary>
    public bool IsPostgres => string.Equals(Provider, Postgres, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The connection string: <see cref="ConnectionString"/>, else the value of <see cref="ConnectionStringVariable"/>;
    /// null when neither gives one (start-up refuses that, naming the key).
    /// </summary>
    public string? ResolveConnectionString(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            return ConnectionString;
        }

        return string.IsNullOrWhiteSpace(ConnectionStringVariable) ? null : environment(ConnectionStringVariable) is { Length: > 0 } value ? value : null;
    }
}
