using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Roles;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Supervision;

/// <summary>
/// <c>host roles --release NAME</c> reaches the running host through the data folder: the command
/// drops a file named after the role in <c>release/</c>; the host takes the role out of quarantine,
/// loads its file again (whatever its content) and deletes the request, which tells the command it
/// was done. Requests found at start are handled too.
/// </summary>
internal sealed class ReleaseRequests : IDisposable
{
    public const string FolderName = "release";

    private readonly string _folder;
    private readonly RoleSupervisor _supervisor;
    private readonly RoleLifecycle _lifecycle;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private FileSystemWatcher? _watcher;
    private int _disposed;

    public ReleaseRequests(string dataFolder, RoleSupervisor supervisor, RoleLifecycle lifecycle, ILogger<ReleaseRequests> log)
    {
        _folder = FolderIn(dataFolder);
        _supervisor = supervisor;
        _lifecycle = lifecycle;
        _log = log;
    }

    public static string FolderIn(string dataFolder) => Path.Combine(dataFolder, FolderName);

    /// <summary>Asks the host of <paramref name="dataFolder"/> to release <paramref name="name"/>; returns the request file, which the host deletes once done.</summary>
    public static string Request(string dataFolder, string name)
    {
        if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.StartsWith('.'))
        {
            throw new ArgumentException($"'{name}' is not a role name.", nameof(name));
        }

        var folder = FolderIn(dataFolder);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        var temporary = Path.Combine(folder, $".{name}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temporary, name);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    public void Start()
    {
        Directory.CreateDirectory(_folder);
        _watcher = new FileSystemWatcher(_folder) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite };
        _watcher.Created += (_, e) => Handle(e.FullPath);
        _watcher.Renamed += (_, e) => Handle(e.FullPath);
        _watcher.EnableRaisingEvents = true;
        foreach (var path in Directory.EnumerateFiles(_folder))
        {
            Handle(path);
        }
    }

    // Called by the service's stop and again by the container: once is enough.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        _watcher?.Dispose();
        _stopping.Dispose();
    }

    private void Handle(string path)
    {
        if (Path.GetFileName(path).StartsWith('.'))
        {
            return;
        }

        _ = HandleAsync(path, _stopping.Token);
    }

    private async Task HandleAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            if (!File.Exists(path))
            {
                return;
            }

            var name = Path.GetFileName(path);
            var released = _supervisor.Release(name);
            if (released.Count == 0)
            {
                _log.LogWarning("Release of {Role} asked, but no role of that name is quarantined.", name);
            }

            foreach (var file in released)
            {
                _log.LogInformation("Role {Role} released from quarantine by request; loading {Path} again.", name, file);
                var read = await RoleFileReader.ReadAsync(file, Path.GetDirectoryName(file), cancellationToken).ConfigureAwait(false);
                if (read.File is { } roleFile)
                {
                    await _lifecycle.ReloadAsync(roleFile, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    _log.LogWarning("Released {Path}, but it cannot be read now: {Problem}", file, read.Diagnostic?.Message ?? "it is gone");
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.LogError(ex, "Releasing {Request} failed.", path);
        }
        finally
        {
            TryDelete(path);
            _one.Release();
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException ex)
        {
            _log.LogWarning("Cannot remove the release request {Path}: {Message}", path, ex.Message);
        }
    }
}
