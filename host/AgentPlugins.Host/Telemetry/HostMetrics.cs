using System.Diagnostics.Metrics;

namespace AgentPlugins.Host.Telemetry;

/// <summary>
/// The host's measurements that happen at a moment (a reload, a timer firing, a model call), on the
/// process-wide <c>AgentPlugins</c> meter. Recording costs nothing when no listener (OpenTelemetry,
/// dotnet-counters) is attached. What is read from state lives in the front door's runtime metrics.
/// </summary>
internal static class HostMetrics
{
    public const string MeterName = "AgentPlugins";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>From a saved file's content to its generation in service (compile, checks, load, swap).</summary>
    public static readonly Histogram<double> ReloadDuration = Meter.CreateHistogram<double>("agentplugins.role.reload.duration", "ms", "Time to compile, check, load and swap in a saved role file.");

    /// <summary>How late a timer's expiry reached the loop, past its due time.</summary>
    public static readonly Histogram<double> TimerLateness = Meter.CreateHistogram<double>("agentplugins.timer.lateness", "ms", "How long after its due time a timer's expiry was posted to the loop.");

    /// <summary>One call to a language model.</summary>
    public static readonly Histogram<double> ModelCallDuration = Meter.CreateHistogram<double>("agentplugins.model.call.duration", "ms", "Duration of one call to a language model.");

    /// <summary>Requests received over HTTP-fed channels, by channel.</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("agentplugins.requests", "{request}", "Requests received over HTTP, the OpenAI-compatible endpoint and Slack.");
}
