namespace AgentPlugins.Host.Roles.Watching;

/// <summary>Something may have changed: one role file (<see cref="Path"/>), or, when the watcher lost track, the whole folder.</summary>
internal sealed record WatchSignal(string Path, bool Rescan = false)
{
    public static WatchSignal RescanAll { get; } = new(string.Empty, Rescan: true);
}
