using System.Reactive.Linq;

namespace AgentPlugins.Host.Roles.Watching;

/// <summary>
/// Whether the roles folder is where it should be. A file watcher follows the folder it was opened
/// on, wherever it is moved, and goes quiet when it is deleted; this one watches the folder's parent
/// for the folder's own name (moved away, moved back, deleted, created) and checks on every
/// poll tick too (a parent that is itself gone, a file system without events).
/// Each sighting is a new <see cref="FolderSighting"/>; a folder swapped for another of the same name
/// (told apart by its birth time) is a new sighting even though a folder is still there.
/// </summary>
internal static class RoleFolderWatcher
{
    // The folder's birth time tells a folder swapped in under the same name from the one watched.
    private static DateTime? IdentityOf(string folder)
    {
        try
        {
            return Directory.Exists(folder) ? Directory.GetCreationTimeUtc(folder) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static IObservable<FolderSighting> Observe(string folder, TimeSpan poll)
    {
        var name = Path.GetFileName(folder);
        var parent = Path.GetDirectoryName(folder);
        var changes = parent is null || !Directory.Exists(parent)
            ? Observable.Never<bool>()
            : Observable.Create<bool>(observer =>
            {
                var watcher = new FileSystemWatcher(parent, name)
                {
                    IncludeSubdirectories = false,
                    NotifyFilter = NotifyFilters.DirectoryName,
                };
                watcher.Created += (_, _) => observer.OnNext(true);
                watcher.Deleted += (_, _) => observer.OnNext(true);
                watcher.Renamed += (_, _) => observer.OnNext(true);
                watcher.Error += (_, _) => observer.OnNext(true);
                watcher.EnableRaisingEvents = true;
                return watcher;
            });

        var ticks = poll > TimeSpan.Zero ? Observable.Interval(poll).Select(_ => false) : Observable.Never<bool>();
        return Observable.Defer(() =>
        {
            var first = new FolderSighting(Directory.Exists(folder), 0, IdentityOf(folder));
            return changes.Merge(ticks)
                .Scan(first, (last, _) =>
                {
                    // A parent's event or a tick only prompts a look: a new sighting is the folder
                    // appearing, going, or being another folder (a different birth time) than before.
                    var identity = IdentityOf(folder);
                    var present = identity is not null;
                    return present != last.Present || (present && identity != last.Identity)
                        ? new FolderSighting(present, last.Number + 1, identity)
                        : last;
                })
                .StartWith(first)
                .DistinctUntilChanged();
        });
    }
}

/// <summary>The roles folder was seen present or absent; <see cref="Number"/> tells sightings apart.</summary>
internal readonly record struct FolderSighting(bool Present, long Number, DateTime? Identity);
