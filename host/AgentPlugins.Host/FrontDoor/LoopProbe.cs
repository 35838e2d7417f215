using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Loop;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>
/// Asks the loop to run an empty piece of work and says whether it ran within the bound: a loop
/// stuck in a role call, or one that stopped, fails the probe. One probe is in flight at a time, so
/// a stuck loop is not buried under probes; while it is pending the loop stays red.
/// </summary>
internal sealed class LoopProbe(EventLoop loop, AgentPluginsOptions options)
{
    private readonly Lock _gate = new();
    private Task? _inFlight;

    /// <summary>Null when healthy, else why not.</summary>
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        if (loop.ThreadId is null)
        {
            return "The loop has not started.";
        }

        if (loop.Stopped.IsCompleted)
        {
            return "The loop has stopped.";
        }

        Task probe;
        lock (_gate)
        {
            if (_inFlight is null || _inFlight.IsCompleted)
            {
                _inFlight = loop.InvokeAsync(static () => { }, CancellationToken.None);
            }

            probe = _inFlight;
        }

        var timeout = options.Http.HealthTimeout;
        var finished = await Task.WhenAny(probe, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
        if (finished != probe)
        {
            return $"The loop did not run a probe within {timeout.TotalMilliseconds:F0} ms (http:healthTimeout): a call is holding it.";
        }

        return probe.IsCompletedSuccessfully ? null : $"The loop refused the probe: {probe.Exception?.InnerException?.Message ?? "cancelled"}";
    }
}
