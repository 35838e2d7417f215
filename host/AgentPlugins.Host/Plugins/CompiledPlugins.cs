using System.Reactive.Linq;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Watching;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Plugins;

/// <summary>
/// The compiled plugins of plugins.json: loads each enabled one at start, then watches its output
/// folder and, once a build has been quiet for <paramref name="debounce"/>, loads the new build
/// through the role lifecycle (all its roles swap in one step), or retires its roles when it is gone.
/// Each build is copied under the data folder first, so the next build can overwrite the output.
/// Every <paramref name="rescanInterval"/> (zero: never) each output is looked at again, for a change its file events missed.
/// </summary>
internal sealed class CompiledPlugins(
    IReadOnlyList<PluginOptions> plugins,
    string dataFolder,
    RoleLifecycle lifecycle,
    ILogger<CompiledPlugins> log,
    TimeSpan? debounce = null,
    TimeSpan rescanInterval = default) : IDisposable
{
    /// <summary>How long a build must be quiet before it is loaded: the output's files are written one after the other.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(300);

    // How often the output folder itself is looked for (as the roles folder is), where its parent gives no events.
    private static readonly TimeSpan FolderPoll = TimeSpan.FromSeconds(1);

    private readonly TimeSpan _debounce = debounce ?? DefaultDebounce;
    private readonly TimeSpan _rescanInterval = rescanInterval;
    private readonly List<IDisposable> _watches = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Where builds are copied before they load.</summary>
    public string Copies { get; } = Path.Combine(dataFolder, "plugins");

    private IEnumerable<PluginOptions> Enabled => plugins.Where(p => p.Enabled);

    /// <summary>Loads every enabled plugin; returns the errors of those that did not load (the others serve).</summary>
    public async Task<IReadOnlyList<RoleDiagnostic>> LoadAllAsync(CancellationToken cancellationToken = default)
    {
        // Nothing is loaded yet, so no copy is in use: the copies of earlier runs go.
        if (Directory.Exists(Copies))
        {
            Directory.Delete(Copies, recursive: true);
        }

        var failures = new List<RoleDiagnostic>();
        foreach (var plugin in Enabled)
        {
            var outcomes = await RefreshAsync(plugin, cancellationToken).ConfigureAwait(false);
            failures.AddRange(outcomes.Where(o => o is not ApplyOutcome.Loaded and not ApplyOutcome.Unchanged).SelectMany(o => o.Diagnostics));
        }

        return failures;
    }

    /// <summary>
    /// Starts watching each enabled plugin's output folder: its file events, the folder itself
    /// (deleted, recreated, swapped for another, as <c>dotnet clean</c> and a build do; the same
    /// folder watch as the roles folder's), and a rescan every <c>roles:rescanInterval</c> that
    /// catches what the events missed. Each look loads the build only when its files changed.
    /// </summary>
    public void Start()
    {
        var rescans = _rescanInterval > TimeSpan.Zero ? Observable.Interval(_rescanInterval).Select(_ => true) : Observable.Never<bool>();
        foreach (var plugin in Enabled)
        {
            var folder = OutputFolderOf(plugin.Path);
            var watch = RoleFolderWatcher.Observe(folder, FolderPoll)
                // Events wait for the build to be quiet; a rescan looks at once (a rescan interval
                // shorter than the debounce would otherwise hold every look back).
                .Select(sighting => sighting.Present
                    ? Changes(folder).StartWith(true).Throttle(_debounce).Merge(rescans)
                    : Observable.Return(true))
                .Switch()
                .Select(_ => Observable.FromAsync(() => RefreshQuietlyAsync(plugin)))
                .Concat()
                .Subscribe(
                    _ => { },
                    ex => log.LogError(ex, "Plugin {Plugin}: its watcher stopped; builds are no longer picked up until the host restarts.", plugin.Path));
            _watches.Add(watch);
        }
    }

    /// <summary>
    /// Brings <paramref name="plugin"/> up to date: retires its roles when it is gone, loads its build
    /// when that changed, and does nothing when the build already serves (or already failed).
    /// </summary>
    public async Task<IReadOnlyList<ApplyOutcome>> RefreshAsync(PluginOptions plugin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!File.Exists(plugin.Path) && !Directory.Exists(plugin.Path) || Directory.Exists(plugin.Path) && !HasBuild(plugin.Path))
            {
                var retired = await lifecycle.RetirePluginAsync(plugin.Path, cancellationToken).ConfigureAwait(false);
                if (retired.Any(r => r.Role is not null))
                {
                    log.LogInformation("Plugin {Plugin} is gone; its roles ({Roles}) are retired.", plugin.Path, string.Join(", ", retired.Select(r => r.Role).OfType<string>()));
                }

                return [];
            }

            PluginSnapshot? snapshot = null;
            PluginRoles roles;
            IReadOnlyList<string> notes;
            try
            {
                snapshot = PluginSnapshot.Take(plugin.Path, Copies);
                if (lifecycle.IsCurrent(plugin.Path, snapshot.Hash))
                {
                    return [new ApplyOutcome.Unchanged(plugin.Path)];
                }

                roles = PluginAssemblies.Load(snapshot, plugin.Settings, out notes);
            }
            catch (Exception ex) when (ex is PluginLoadException or IOException or UnauthorizedAccessException)
            {
                // A build still being written, or one that is broken: what served keeps serving.
                // Refused for the build's own hash when there is one, so a rescan of the same build does not try it again.
                IReadOnlyList<RoleDiagnostic> errors = [RoleDiagnostic.Error(plugin.Path, LoadCodes.PluginLoad, ex.Message)];
                return await lifecycle.RefusePluginAsync(plugin.Path, snapshot?.Hash ?? RoleFile.HashOf(ex.Message), errors, cancellationToken).ConfigureAwait(false);
            }

            foreach (var note in notes)
            {
                log.LogInformation("{Note}", note);
            }

            Notes = notes;
            return await lifecycle.ApplyPluginAsync(roles, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>What the last plugin loaded said about its own versions of the host's assemblies.</summary>
    public IReadOnlyList<string> Notes { get; private set; } = [];

    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var watch in _watches)
        {
            watch.Dispose();
        }

        _watches.Clear();
    }

    private static bool HasBuild(string folder) => Directory.EnumerateFiles(folder, "*.deps.json").Any();

    // A plugin is configured by its output folder or by its assembly in it.
    private static string OutputFolderOf(string plugin) =>
        plugin.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(plugin) ? Path.GetDirectoryName(plugin)! : plugin;

    // Every file event under the output folder; an overflow or a watcher error is a reason to look too.
    private IObservable<bool> Changes(string folder) =>
        Observable.Create<bool>(observer =>
        {
            var watcher = new FileSystemWatcher(folder)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            watcher.Changed += (_, _) => observer.OnNext(true);
            watcher.Created += (_, _) => observer.OnNext(true);
            watcher.Deleted += (_, _) => observer.OnNext(true);
            watcher.Renamed += (_, _) => observer.OnNext(true);
            watcher.Error += (_, _) => observer.OnNext(true);
            watcher.EnableRaisingEvents = true;
            return watcher;
        })
        .Catch<bool, IOException>(ex =>
        {
            // Gone between being seen and being watched: the folder watch sees it come back.
            log.LogWarning(ex, "Plugin output {Folder} cannot be watched; looking for it again.", folder);
            return Observable.Return(true);
        })
        .Catch<bool, ArgumentException>(ex =>
        {
            log.LogWarning(ex, "Plugin output {Folder} cannot be watched; looking for it again.", folder);
            return Observable.Return(true);
        });

    private async Task RefreshQuietlyAsync(PluginOptions plugin)
    {
        try
        {
            foreach (var outcome in await RefreshAsync(plugin, _stopping.Token).ConfigureAwait(false))
            {
                if (outcome is ApplyOutcome.Loaded loaded)
                {
                    log.LogInformation("Plugin {Plugin}: role {Role} generation {Generation} serving.", plugin.Path, loaded.Role, loaded.Generation);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            log.LogError(ex, "Reloading plugin {Plugin} failed.", plugin.Path);
        }
    }
}
