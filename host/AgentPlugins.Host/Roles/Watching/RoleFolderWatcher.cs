using System.Reactive.Linq;

namespace AgentPlugins.Host.Roles.Watching;

/// <summary>
/// Whether the roles folder is where it should be. A file watcher follows the folder it was opened
/// on, wherever it is moved, and goes quiet when it is deleted; this one watches the folder's parent
/// for the folder's own name (moved away, moved back, deleted, created) and checks on every
/// poll tick too (a parent that is itself gone, a file system without events).
/// Each sighting is a new <see cref="FolderSighting"/>, so a folder swapped for another of the same
/// name is seen as new even though it is still there.
/// </summary>
internal static class RoleFolderWatcher
{
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
            var first = new FolderSighting(Directory.Exists(folder), 0);
            return changes.Merge(ticks)
                .Scan(first, (last, changed) => Directory.Exists(folder) is var present && (present != last.Present || (changed && present))
                    ? new FolderSighting(present, last.Number + 1)
                    : last)
                .StartWith(first)
                .DistinctUntilChanged();
        });
    }
}

/// <summary>The roles folder was seen present or absent; <see cref="Number"/> tells sightings apart.</summary>
internal readonly record struct FolderSighting(bool Present, long Number);
