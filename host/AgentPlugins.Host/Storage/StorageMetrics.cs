using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentPlugins.Host.Storage;

/// <summary>
/// The storage instruments of the <c>AgentPlugins</c> meter: <c>agentplugins.storage.file.size</c>
/// (bytes per data file, tag <c>file</c>) and <c>agentplugins.retention.deleted</c> (records deleted by
/// retention, tag <c>store</c>). Any System.Diagnostics.Metrics listener (dotnet-counters,
/// OpenTelemetry) reads them.
/// </summary>
internal static class StorageMetrics
{
    public const string MeterName = "AgentPlugins";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Deleted = Meter.CreateCounter<long>("agentplugins.retention.deleted", "{record}", "Records deleted by retention");
    private static readonly List<DataFolderUsage> Folders = [];

    static StorageMetrics()
    {
        Meter.CreateObservableGauge("agentplugins.storage.file.size", Observe, "By", "Size of each file in the data folder");
    }

    /// <summary>Reports <paramref name="usage"/>'s files until <see cref="Untrack"/>.</summary>
    public static void Track(DataFolderUsage usage)
    {
        lock (Folders)
        {
            Folders.Add(usage);
        }
    }

    public static void Untrack(DataFolderUsage usage)
    {
        lock (Folders)
        {
            Folders.Remove(usage);
        }
    }

    public static void Pruned(string store, long records)
    {
        if (records > 0)
        {
            Deleted.Add(records, new KeyValuePair<string, object?>("store", store));
        }
    }

    private static IEnumerable<Measurement<long>> Observe()
    {
        DataFolderUsage[] folders;
        lock (Folders)
        {
            folders = [.. Folders];
        }

        foreach (var folder in folders)
        {
            foreach (var file in folder.Files)
            {
                yield return new Measurement<long>(file.Bytes, new TagList { { "folder", folder.Folder }, { "file", file.File } });
            }
        }
    }
}
