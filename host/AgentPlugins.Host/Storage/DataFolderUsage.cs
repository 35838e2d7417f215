namespace AgentPlugins.Host.Storage;

/// <summary>
/// How much the data folder holds, per file: the SQLite files with their <c>-wal</c> and <c>-shm</c>,
/// and the compile cache as one entry. Measured when asked (a directory listing, no file is opened),
/// for the status file, <c>host roles</c> and the <c>agentplugins.storage.file.size</c> metric.
/// </summary>
internal sealed class DataFolderUsage(string folder)
{
    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>The files now, largest first.</summary>
    public IReadOnlyList<DataFileSize> Files
    {
        get
        {
            var directory = new DirectoryInfo(Folder);
            if (!directory.Exists)
            {
                return [];
            }

            var files = new List<DataFileSize>();
            try
            {
                foreach (var entry in directory.EnumerateFileSystemInfos())
                {
                    switch (entry)
                    {
                        case FileInfo file:
                            files.Add(new DataFileSize(file.Name, file.Length));
                            break;
                        case DirectoryInfo sub:
                            files.Add(new DataFileSize(sub.Name + "/", sub.EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => SafeLength(f))));
                            break;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A file removed while listing, or a sub-folder we may not read: measured again next time.
            }

            files.Sort((a, b) => b.Bytes.CompareTo(a.Bytes));
            return files;
        }
    }

    /// <summary>The whole folder, in bytes.</summary>
    public long TotalBytes => Files.Sum(f => f.Bytes);

    private static long SafeLength(FileInfo file)
    {
        try
        {
            return file.Length;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }
}
