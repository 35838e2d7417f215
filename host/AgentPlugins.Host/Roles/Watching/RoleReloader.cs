using System.Reactive.Linq;
using AgentPlugins.Host.Compilation;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Roles.Watching;

/// <summary>
/// Keeps the roles in service in step with the roles folder. Watches it, waits out each file's
/// burst of writes (per path), then looks at the file: gone means retire, content whose hash did
/// not change means nothing, anything else means compile off the loop and swap on the loop. One
/// file is handled at a time, in the order the bursts ended, so a file's saves apply in order.
/// </summary>
internal sealed class RoleReloader : IDisposable
{
    private static readonly TimeSpan ReadRetry = TimeSpan.FromMilliseconds(20);

    private readonly string _folder;
    private readonly TimeSpan _debounce;
    private readonly RoleLoader _loader;
    private readonly RoleRegistry _registry;
    private readonly ILogger _log;
    private IDisposable? _subscription;
    private long _reloads;
    private long _skipped;
    private long _retired;

    public RoleReloader(string folder, TimeSpan debounce, RoleLoader loader, RoleRegistry registry, ILogger<RoleReloader> log)
    {
        _folder = Path.GetFullPath(folder);
        _debounce = debounce;
        _loader = loader;
        _registry = registry;
        _log = log;
    }

    /// <summary>Loads tried because a file's content changed (or appeared).</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    /// <summary>Saves that changed nothing (same content hash).</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Roles taken out of service because their file went away.</summary>
    public long Retired => Interlocked.Read(ref _retired);

    /// <summary>Starts watching. Begins with a rescan, which catches what changed since the folder was loaded.</summary>
    public void Start()
    {
        if (_subscription is not null)
        {
            throw new InvalidOperationException("The reloader is already started.");
        }

        _subscription = RoleFileWatcher.Observe(_folder)
            .StartWith(WatchSignal.RescanAll)
            .GroupBy(signal => signal.Path, StringComparer.Ordinal)
            .SelectMany(path => path.Throttle(_debounce))
            .Select(signal => Observable.FromAsync(token => HandleAsync(signal, token)))
            .Concat()
            .Subscribe(
                _ => { },
                ex => _log.LogError(ex, "The roles folder watcher stopped; edits are no longer picked up until the host restarts."));
        _log.LogInformation("Watching {Folder} for role changes.", _folder);
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _subscription = null;
    }

    private async Task HandleAsync(WatchSignal signal, CancellationToken cancellationToken)
    {
        try
        {
            if (signal.Rescan)
            {
                await RescanAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RefreshAsync(signal.Path, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // The loop is draining for shutdown; there is nothing to reload into.
        }
        catch (Exception ex)
        {
            // One bad file event must not end the watching.
            _log.LogError(ex, "Reloading {Path} failed.", signal.Rescan ? _folder : signal.Path);
        }
    }

    private async Task RescanAsync(CancellationToken cancellationToken)
    {
        var files = Directory.Exists(_folder) ? RoleLoader.FindRoleFiles(_folder) : [];
        var known = _registry.Status.Where(s => s.State != RoleState.Retired && IsInFolder(s.Path)).Select(s => s.Path);
        foreach (var path in files.Union(known, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            await RefreshAsync(path, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RefreshAsync(string path, CancellationToken cancellationToken, bool force = false)
    {
        var status = _registry.Status.FirstOrDefault(s => s.Path == path);
        var source = await ReadAsync(path, cancellationToken).ConfigureAwait(false);
        if (source is null)
        {
            if (status is not null && status.State != RoleState.Retired)
            {
                Interlocked.Increment(ref _retired);
                _log.LogInformation("{Path} is gone; retiring its role.", path);
                await _loader.RetireAsync(path, cancellationToken).ConfigureAwait(false);
                await RetryNameClashesAsync(status.Name, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        // An empty file is almost always a save caught between truncating and writing; the next
        // change event brings the content. What serves goes on serving meanwhile.
        if (source.Length == 0)
        {
            _log.LogDebug("{Path} is empty; waiting for its content.", path);
            return;
        }

        if (!force && status is not null && status.State != RoleState.Retired && status.ContentHash == RoleCompiler.HashOf(source))
        {
            Interlocked.Increment(ref _skipped);
            return;
        }

        Interlocked.Increment(ref _reloads);
        var errors = await _loader.LoadSourceAsync(path, source, cancellationToken).ConfigureAwait(false);
        if (errors.Count == 0)
        {
            _log.LogDebug("{Path} reloaded.", path);
        }
    }

    // A role renamed to another file arrives as two paths whose bursts may end in either order: if the
    // new file came first it was refused for using a name the old one still held. Now that the old
    // one is gone, the files refused for that name get another try.
    private async Task RetryNameClashesAsync(string? name, CancellationToken cancellationToken)
    {
        var refused = _registry.Status
            .Where(s => s.State == RoleState.Failed && s.LastErrors.Any(e => e.Code == LoadCodes.DuplicateName && e.Message.Contains($"'{name}'", StringComparison.Ordinal)))
            .Select(s => s.Path)
            .ToList();
        foreach (var path in refused)
        {
            await RefreshAsync(path, cancellationToken, force: true).ConfigureAwait(false);
        }
    }

    // The file's text, or null when it is gone. An editor may hold the file for a moment; retry briefly.
    private static async Task<string?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (!File.Exists(path))
            {
                return null;
            }

            try
            {
                return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (FileNotFoundException)
            {
                return null;
            }
            catch (DirectoryNotFoundException)
            {
                return null;
            }
            catch (IOException) when (attempt < 3)
            {
                await Task.Delay(ReadRetry, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private bool IsInFolder(string path) =>
        string.Equals(Path.GetDirectoryName(path), _folder, StringComparison.Ordinal);
}
