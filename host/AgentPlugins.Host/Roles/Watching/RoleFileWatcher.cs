using System.Reactive.Linq;
using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Host.Roles.Watching;

/// <summary>
/// A roles folder's <see cref="FileSystemWatcher"/> as an observable of the role files touched.
/// Every kind of change (created, written, deleted, renamed to or from) is just "look at this path
/// again": what happened is read from the disk when the burst is over, which is what makes editors'
/// temp-file-and-rename saves come out right. A watcher overflow asks for a rescan.
/// </summary>
internal static class RoleFileWatcher
{
    public static IObservable<WatchSignal> Observe(string folder) =>
        Observable.Create<WatchSignal>(observer =>
        {
            var watcher = new FileSystemWatcher(folder)
            {
                IncludeSubdirectories = false,
                InternalBufferSize = 64 * 1024,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };

            void Touched(string? path)
            {
                if (path is not null && RoleFileReader.IsRoleFile(path))
                {
                    observer.OnNext(new WatchSignal(Path.GetFullPath(path)));
                }
            }

            watcher.Created += (_, e) => Touched(e.FullPath);
            watcher.Changed += (_, e) => Touched(e.FullPath);
            watcher.Deleted += (_, e) => Touched(e.FullPath);
            watcher.Renamed += (_, e) =>
            {
                Touched(e.OldFullPath);
                Touched(e.FullPath);
            };
            watcher.Error += (_, _) => observer.OnNext(WatchSignal.RescanAll);
            watcher.EnableRaisingEvents = true;
            return watcher;
        });
}
