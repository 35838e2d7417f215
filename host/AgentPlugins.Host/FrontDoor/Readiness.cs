using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Notifications;
using Microsoft.Extensions.Hosting;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>
/// Whether the host is ready to serve: registered after the runtime's hosted service, so it starts
/// only once the roles folder is loaded; ready while the loop runs and the outbox is open.
/// </summary>
internal sealed class Readiness(EventLoop loop, NotificationOutbox outbox) : IHostedService
{
    private volatile bool _started;

    /// <summary>Null when ready, else why not.</summary>
    public string? Problem =>
        !_started ? "Starting: the roles are still loading."
        : loop.ThreadId is null || loop.Stopped.IsCompleted ? "The loop is not running."
        : !outbox.IsOpen ? "The notification outbox is closed."
        : null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = !cancellationToken.IsCancellationRequested;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _started = false;
        return Task.CompletedTask;
    }
}
