using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Storage.Postgres;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Hosting.Cluster;

/// <summary>
/// Writes this host into the shared database's <c>cluster_hosts</c>: at start, when a generation
/// changes, and every <see cref="ClusterStatus.Heartbeat"/>; removes it at a clean stop (a host that
/// died stays, shown stale once its heartbeat is old). A failed write is logged once and tried again
/// on the next beat; serving goes on.
/// </summary>
internal sealed class ClusterStatusPublisher(
    PostgresDatabase database,
    HostIdentity host,
    RoleLifecycle lifecycle,
    string rolesFolder,
    TimeProvider clock,
    ILogger<ClusterStatusPublisher> log) : BackgroundService
{
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();
    private bool _failing;
    private int _removed;

    /// <summary>This host's roles as the cluster sees them.</summary>
    public IReadOnlyList<ClusterRole> Roles() =>
        [.. lifecycle.Status
            .OrderBy(s => s.Path, StringComparer.Ordinal)
            .Select(s => new ClusterRole(
                s.Name ?? Path.GetFileNameWithoutExtension(s.Path),
                s.Plugin is null ? Path.GetRelativePath(rolesFolder, s.Path) : s.Path,
                s.State.ToString().ToLowerInvariant(),
                s.Generation,
                s.ContentHash))];

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _removed, 1) == 1)
        {
            return;
        }

        try
        {
            await ClusterStatus.RemoveAsync(database, host.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex)
        {
            log.LogWarning("{Problem} The other hosts will show this one as stale.", ex.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await PostgresSchema.MigrateAsync(database, ClusterStatus.Schema, host.Id, stoppingToken).ConfigureAwait(false);
        }
        catch (StorageException ex)
        {
            log.LogError("{Problem} This host does not show in the cluster's status.", ex.Message);
            return;
        }

        using var changed = new SemaphoreSlim(0);
        using var subscription = lifecycle.Changes.Subscribe(_ => changed.Release());
        while (!stoppingToken.IsCancellationRequested)
        {
            await WriteAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                // A burst of changes (a folder reload) is one write.
                await changed.WaitAsync(ClusterStatus.Heartbeat, stoppingToken).ConfigureAwait(false);
                while (changed.CurrentCount > 0)
                {
                    await changed.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WriteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ClusterStatus.WriteAsync(database, host.Id, _startedAt, Roles(), stoppingToken).ConfigureAwait(false);
            if (_failing)
            {
                _failing = false;
                log.LogInformation("This host writes its status to {Database} again.", database.Name);
            }
        }
        catch (StorageException ex)
        {
            if (!_failing)
            {
                _failing = true;
                log.LogWarning("{Problem} Tried again every {Seconds} s.", ex.Message, ClusterStatus.Heartbeat.TotalSeconds);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
