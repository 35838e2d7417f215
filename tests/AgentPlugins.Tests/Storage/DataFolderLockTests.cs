using AgentPlugins.Host.Storage;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Storage;

/// <summary>The data folder's lock is the OS's (flock on the folder): nothing in the folder can be deleted to get round it.</summary>
public sealed class DataFolderLockTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_child_process_started_while_the_lock_is_held_does_not_keep_the_folder_locked()
    {
        var first = DataFolderLock.Acquire(_folder.Path);
        using var child = System.Diagnostics.Process.Start("sleep", ["30"]);
        try
        {
            first.Dispose();

            // Had the child inherited the descriptor, the folder would stay locked until it exits.
            using var second = DataFolderLock.Acquire(_folder.Path);
            Assert.Equal(Path.GetFullPath(_folder.Path), second.Folder);
        }
        finally
        {
            child.Kill();
        }
    }

    [Fact]
    public void A_second_lock_on_the_same_folder_is_refused_naming_the_folder()
    {
        using var first = DataFolderLock.Acquire(_folder.Path);

        var error = Assert.Throws<StorageException>(() => DataFolderLock.Acquire(_folder.Path));

        Assert.Equal($"Another host is running on the data folder {_folder.Path} (it is locked): run one host per data folder (storage:dataFolder, or --data).", error.Message);
    }

    [Fact]
    public void Deleting_every_file_in_the_folder_does_not_release_the_lock()
    {
        using var first = DataFolderLock.Acquire(_folder.Path);
        _folder.Write("timers.db.lock", "an old lock file");
        foreach (var file in Directory.GetFiles(_folder.Path))
        {
            File.Delete(file);
        }

        Assert.Throws<StorageException>(() => DataFolderLock.Acquire(_folder.Path));
    }

    [Fact]
    public void The_lock_is_released_when_its_holder_lets_go()
    {
        DataFolderLock.Acquire(_folder.Path).Dispose();

        using var again = DataFolderLock.Acquire(_folder.Path);

        Assert.Equal(_folder.Path, again.Folder);
    }

    [Fact]
    public void Disposing_twice_closes_only_its_own_descriptor()
    {
        var held = DataFolderLock.Acquire(_folder.Path);
        held.Dispose();
        using var other = File.OpenRead(_folder.Write("other.txt", "x"));

        // A second close of the old descriptor number could close this file, which may have reused it.
        held.Dispose();

        Assert.Equal('x', (char)other.ReadByte());
    }
}
