namespace AgentPlugins.Host.Storage;

/// <summary>
/// <c>data-files.txt</c> in the data folder: the name of every SQLite file the host created there,
/// one a line. A file it lists that is now missing or empty was lost (deleted, truncated, a backup
/// restored without it): the host refuses to start empty in its place instead of silently forgetting
/// what it held (pending timers, ids it must not reuse).
/// </summary>
internal static class DataFileManifest
{
    public const string FileName = "data-files.txt";

    private static readonly Lock Gate = new();

    /// <summary>True when the manifest of the file's folder says the host created <paramref name="path"/>.</summary>
    public static bool Lists(string path)
    {
        var manifest = ManifestOf(path);
        lock (Gate)
        {
            return File.Exists(manifest) && File.ReadLines(manifest).Contains(System.IO.Path.GetFileName(path), StringComparer.Ordinal);
        }
    }

    /// <summary>Adds <paramref name="path"/> to its folder's manifest (written to a temporary file, then renamed, so it is never half written).</summary>
    public static void Add(string path)
    {
        var manifest = ManifestOf(path);
        var name = System.IO.Path.GetFileName(path);
        lock (Gate)
        {
            var names = File.Exists(manifest) ? File.ReadAllLines(manifest).Where(l => l.Length > 0).ToList() : [];
            if (names.Contains(name, StringComparer.Ordinal))
            {
                return;
            }

            names.Add(name);
            var temporary = manifest + ".tmp";
            File.WriteAllLines(temporary, names);
            File.Move(temporary, manifest, overwrite: true);
        }
    }

    public static string ManifestOf(string path) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, FileName);
}
