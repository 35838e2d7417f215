using System.Text.Json;

namespace AgentPlugins.Host.Supervision;

/// <summary>
/// The quarantined role files, kept in the data folder (<c>quarantine.json</c>) so a quarantine
/// outlives a restart: a role that froze or crashed the host stays out until its file's content
/// changes or <c>host roles --release NAME</c> lets it back. Thread-safe; the file is replaced
/// atomically on every change.
/// </summary>
internal sealed class QuarantineStore
{
    public const string FileName = "quarantine.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly string _path;
    private readonly Lock _gate = new();
    private Dictionary<string, QuarantineEntry> _entries;

    private QuarantineStore(string path, Dictionary<string, QuarantineEntry> entries)
    {
        _path = path;
        _entries = entries;
    }

    public static string PathIn(string dataFolder) => Path.Combine(dataFolder, FileName);

    /// <summary>Reads the store of <paramref name="dataFolder"/>; an unreadable file is an error naming it.</summary>
    public static QuarantineStore Open(string dataFolder)
    {
        var path = PathIn(dataFolder);
        var entries = new Dictionary<string, QuarantineEntry>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            try
            {
                foreach (var entry in JsonSerializer.Deserialize<List<QuarantineEntry>>(File.ReadAllBytes(path), Json) ?? [])
                {
                    entries[entry.Path] = entry;
                }
            }
            catch (JsonException ex)
            {
                throw new IOException($"{path} is not a valid quarantine list ({ex.Message}); fix or delete it.", ex);
            }
        }

        return new QuarantineStore(path, entries);
    }

    public IReadOnlyList<QuarantineEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries.Values.OrderBy(e => e.Path, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The entry that keeps <paramref name="path"/> with <paramref name="contentHash"/> out, if any.</summary>
    public QuarantineEntry? Find(string path, string contentHash)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(path, out var entry) && entry.ContentHash == contentHash ? entry : null;
        }
    }

    public void Add(QuarantineEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            _entries = new Dictionary<string, QuarantineEntry>(_entries, StringComparer.Ordinal) { [entry.Path] = entry };
            Save();
        }
    }

    /// <summary>Removes the entry of <paramref name="path"/>; false when there was none.</summary>
    public bool Remove(string path)
    {
        lock (_gate)
        {
            if (!_entries.ContainsKey(path))
            {
                return false;
            }

            var next = new Dictionary<string, QuarantineEntry>(_entries, StringComparer.Ordinal);
            next.Remove(path);
            _entries = next;
            Save();
            return true;
        }
    }

    /// <summary>The entries whose role (or file name without extension) is <paramref name="name"/>.</summary>
    public IReadOnlyList<QuarantineEntry> Named(string name) =>
        [.. Entries.Where(e => string.Equals(e.Role, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(Path.GetFileNameWithoutExtension(e.Path), name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(Path.GetFileName(e.Path), name, StringComparison.OrdinalIgnoreCase))];

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temporary = $"{_path}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(_entries.Values.OrderBy(e => e.Path, StringComparer.Ordinal).ToList(), Json));
        File.Move(temporary, _path, overwrite: true);
    }
}
