using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Hosting;

/// <summary>Runs the <see cref="Runtime"/> as a hosted service: starts it with the host, drains it on Ctrl-C or SIGTERM.</summary>
internal sealed class RuntimeService(Runtime runtime, ILogger<RuntimeService> log) : IHostedService
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Compilation.RoleDiagnostic> failures;
        try
        {
            failures = await runtime.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C or SIGTERM while roles were loading: a requested stop; StopAsync drains what started.
            log.LogInformation("Stopped while starting.");
            return;
        }

        if (failures.Count > 0)
        {
            log.LogWarning("{Count} role file(s) did not load; the others run.", failures.Select(f => f.Path).Distinct().Count());
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        log.LogInformation("Stopping: draining the loop.");
        await runtime.StopAsync(DrainTimeout).ConfigureAwait(false);
    }
}
