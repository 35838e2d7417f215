using System.Runtime.CompilerServices;
using Npgsql;

namespace AgentPlugins.Host.Configuration;

/// <summary>What start-up checks of <c>storage</c>'s provider keys, each problem naming its key.</summary>
internal static class StorageOptionsRules
{
    /// <param name="require">Stops start-up with (key, problem) when the condition is false.</param>
    /// <param name="environment">Reads an environment variable (a connection string with a password stays out of plugins.json).</param>
    public static void Check(StorageOptions storage, Action<bool, string, string> require, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(require);
        require(
            StorageOptions.Providers.Contains(storage.Provider, StringComparer.OrdinalIgnoreCase),
            "storage:provider",
            $"is '{storage.Provider}'; it must be one of: {string.Join(", ", StorageOptions.Providers)}.");
        require(storage.TimerLease >= TimeSpan.FromSeconds(1) && storage.TimerLease <= TimeSpan.FromHours(1), "storage:timerLease", "must be a time span from 00:00:01 to 01:00:00, e.g. \"00:00:30\".");
        require(storage.HostId is null || (storage.HostId.Length is > 0 and <= 200 && !string.IsNullOrWhiteSpace(storage.HostId)), "storage:hostId", "must be a name of 1 to 200 characters, or left out for machine name, process id and start time.");
        if (!storage.IsPostgres)
        {
            return;
        }

        var direct = !string.IsNullOrWhiteSpace(storage.ConnectionString);
        var variable = !string.IsNullOrWhiteSpace(storage.ConnectionStringVariable);
        require(direct || variable, "storage:connectionString", "or 'storage:connectionStringVariable' must be set when storage:provider is postgres.");
        require(!(direct && variable), "storage:connectionStringVariable", "and 'storage:connectionString' are both set; keep one.");
        if (variable)
        {
            require(!string.IsNullOrEmpty(environment(storage.ConnectionStringVariable!)), "storage:connectionStringVariable", $"names the environment variable '{storage.ConnectionStringVariable}', which is not set.");
        }

        var connectionString = storage.ResolveConnectionString(environment)!;
        var key = direct ? "storage:connectionString" : "storage:connectionStringVariable";
        var problem = Unparsable(connectionString);
        require(problem is null, key, $"is not a PostgreSQL connection string Npgsql accepts ({problem}), e.g. \"Host=db;Database=agentplugins;Username=agentplugins\".");
    }

    // Apart and never inlined: a host on SQLite does not load Npgsql for checking its options.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string? Unparsable(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return null;
        }
        catch (ArgumentException ex)
        {
            // Npgsql's message names the keyword, never the value (which may be a password).
            return ex.Message;
        }
    }
}
