using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace AgentPlugins.Host.Hosting;

/// <summary>
/// Watches plugins.json while the host runs and, when <c>roles:settings</c> changed, reloads the roles
/// whose settings changed, saying so on the console and in the log (the keys, never the values). A
/// reload re-reads secrets; a missing one keeps the old generation serving, as any failed load does.
/// A file that cannot be read (a save caught half-written) changes nothing; the next save is read.
/// Other keys of plugins.json take effect at the next start.
/// </summary>
internal sealed class RoleSettingsReloader(
    string configPath,
    IReadOnlyDictionary<string, string?>? overrides,
    RoleSettingsSource settings,
    RoleLifecycle lifecycle,
    ChannelRegistry channels,
    string rolesFolder,
    ILogger<RoleSettingsReloader> log) : IHostedService, IDisposable
{
    // Editors write a file in several steps; read it once it has been quiet this long.
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private PhysicalFileProvider? _files;
    private IDisposable? _watch;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _files = new PhysicalFileProvider(Path.GetDirectoryName(Path.GetFullPath(configPath))!);
        var name = Path.GetFileName(configPath);
        _watch = ChangeToken.OnChange(() => _files.Watch(name), () => _ = ReadAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _watch?.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        _watch?.Dispose();
        _files?.Dispose();
        _stopping.Dispose();
        _one.Dispose();
    }

    /// <summary>Takes <paramref name="next"/> as the roles' settings and reloads the roles whose settings changed.</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(Dictionary<string, Dictionary<string, string>> next, CancellationToken cancellationToken = default)
    {
        var changed = settings.Replace(next);
        foreach (var (role, keys) in changed.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var text = $"{Path.GetFileName(configPath)}: the settings of role {role} changed ({string.Join(", ", keys)}); reloading it.";
            log.LogInformation("{Change}", text);
            await ShowAsync(text).ConfigureAwait(false);
            foreach (var status in lifecycle.Status.Where(s => Affected(s, role)).ToList())
            {
                var read = await RoleFileReader.ReadAsync(status.Path, rolesFolder, cancellationToken).ConfigureAwait(false);
                if (read.File is { } file)
                {
                    await lifecycle.ReloadAsync(file, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return [.. changed.Keys];
    }

    // The role's file, or a file that failed to load on its settings (its role's name is not known yet).
    private static bool Affected(RoleStatus status, string role) =>
        status.State is RoleState.Active or RoleState.Failed
        && (string.Equals(status.Name, role, StringComparison.OrdinalIgnoreCase)
            || (status.State == RoleState.Failed && status.LastErrors.Any(e => e.Code == LoadCodes.InvalidSettings && e.Message.StartsWith($"Role '{role}'", StringComparison.OrdinalIgnoreCase))));

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Quiet, cancellationToken).ConfigureAwait(false);
            await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var (options, _) = OptionsLoader.Load(configPath, overrides);
                await ApplyAsync(options.Roles.Settings, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _one.Release();
            }
        }
        catch (ConfigurationException ex)
        {
            log.LogWarning("{Path} changed but cannot be used ({Problem}); the roles keep their settings.", configPath, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Threading.Channels.ChannelClosedException)
        {
            log.LogWarning(ex, "Reloading the role settings from {Path} failed; the roles keep their settings.", configPath);
        }
    }

    private Task ShowAsync(string text) => channels.Names.Contains(ChannelNames.Console)
        ? channels.SendAsync(ChannelNames.Console, new OutgoingMessage(text, null, Priority.Medium, MessageKind.Notification))
        : Task.CompletedTask;
}
