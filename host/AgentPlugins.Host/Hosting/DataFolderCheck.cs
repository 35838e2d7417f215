using AgentPlugins.Host.Agents;
using AgentPlugins.Host.Audit;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Timers;

namespace AgentPlugins.Host.Hosting;

/// <summary>
/// Checks the data folder before <c>host run</c> builds the service: the folder lock and every data
/// file the host will open (the same checks the stores run when they open). A refusal is one line
/// for the command to print with exit code 1, before the generic host could log it with a stack
/// trace. The stores check again when they open, so nothing relies on the file not changing between.
/// </summary>
internal static class DataFolderCheck
{
    /// <exception cref="StorageException">Another host holds the folder, or a data file cannot be used.</exception>
    public static void Run(AgentPluginsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var folder = options.Storage.DataFolder;
        using var held = DataFolderLock.Acquire(folder);
        var busy = TimeSpan.FromSeconds(1);
        if (!options.Storage.IsPostgres)
        {
            // With postgres the timers live in the shared database, checked (and migrated) when the store opens.
            SqliteStoreFile.Open(Path.Combine(folder, "timers.db"), TimerStore.Schema, busy).Dispose();
        }

        SqliteStoreFile.Open(Path.Combine(folder, "audit.db"), SqliteAuditStore.Schema, busy).Dispose();
        if (options.Llm is not null)
        {
            SqliteStoreFile.Open(Path.Combine(folder, "conversations.db"), ConversationStore.Schema, busy).Dispose();
        }
    }
}
