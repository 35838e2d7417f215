using System.Runtime.InteropServices;

namespace AgentPlugins.Host.Storage;

/// <summary>
/// One host per data folder. On Linux and macOS the lock is <c>flock(LOCK_EX)</c> on the folder
/// itself: nothing inside it can be deleted to release it, and the OS drops it when the process
/// ends, kill -9 included. (A lock file can be deleted from under a running host, and .NET's
/// FileShare.None is an flock on that file only.) Elsewhere, a FileShare.None lock file, which
/// Windows does not let anyone delete while it is open.
/// </summary>
internal sealed class DataFolderLock : IDisposable
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int ReadOnly = 0;

    // Close-on-exec: a child process (bin/host spawning anything, a test starting processes) must not
    // inherit the descriptor, or the folder stays locked until that child exits.
    private static readonly int CloseOnExec = OperatingSystem.IsMacOS() ? 0x1000000 : 0x80000;
    private const int WouldBlock = 11; // EWOULDBLOCK on Linux
    private const int WouldBlockMac = 35;

    private int _descriptor = -1;
    private readonly FileStream? _file;

    private DataFolderLock(string folder, int descriptor, FileStream? file)
    {
        Folder = folder;
        _descriptor = descriptor;
        _file = file;
    }

    public string Folder { get; }

    /// <summary>Takes the lock, or throws naming the folder when another process holds it.</summary>
    /// <exception cref="StorageException">Another host runs on <paramref name="folder"/>, or it cannot be opened.</exception>
    public static DataFolderLock Acquire(string folder)
    {
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        if (OperatingSystem.IsWindows())
        {
            try
            {
                return new DataFolderLock(folder, -1, new FileStream(Path.Combine(folder, "host.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException ex)
            {
                throw Held(folder, ex.Message);
            }
        }

        var descriptor = Native.Open(folder, ReadOnly | CloseOnExec);
        if (descriptor < 0)
        {
            throw new StorageException(folder, $"Cannot open the data folder {folder} to lock it (errno {Marshal.GetLastPInvokeError()}); check its permissions.");
        }

        if (Native.Flock(descriptor, LockExclusive | LockNonBlocking) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            _ = Native.Close(descriptor); // nothing to do if closing fails: the lock was not taken
            throw error is WouldBlock or WouldBlockMac
                ? Held(folder, "it is locked")
                : new StorageException(folder, $"Cannot lock the data folder {folder} (errno {error}).");
        }

        return new DataFolderLock(folder, descriptor, null);
    }

    public void Dispose()
    {
        _file?.Dispose();

        // Once only: closing a descriptor number twice could close another file that reused it.
        var descriptor = Interlocked.Exchange(ref _descriptor, -1);
        if (descriptor >= 0)
        {
            // Closing the descriptor releases the flock.
            _ = Native.Close(descriptor);
        }
    }

    private static StorageException Held(string folder, string detail) =>
        new(folder, $"Another host is running on the data folder {folder} ({detail}): run one host per data folder (storage:dataFolder, or --data).");

    // DllImport, not LibraryImport: the source-generated marshalling needs unsafe code in the project.
    private static class Native
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Flock(int descriptor, int operation);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Close(int descriptor);
    }
}
