namespace AgentPlugins.Host.Storage;

/// <summary>
/// A data file the host cannot use or write: the message is one line a user can act on, naming the
/// file, the cause and the fix (it is shown as is, by <c>host run</c> and to the user whose request failed).
/// </summary>
internal sealed class StorageException(string path, string message, Exception? inner = null) : IOException(message, inner)
{
    /// <summary>The file (or folder) at fault.</summary>
    public string Path { get; } = path;
}
