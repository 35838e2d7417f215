namespace AgentPlugins.Host.Storage;

/// <summary>One file of the data folder and its size on disk; <paramref name="File"/> is relative to the folder (<c>timers.db-wal</c>).</summary>
internal sealed record DataFileSize(string File, long Bytes);
