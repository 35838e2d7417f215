using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace AgentPlugins.Host.Http;

/// <summary>
/// The outermost handler of a role's HTTP client: refuses a host off the role's allow-list and, for a
/// tool, anything but a read, before anything is sent; and turns what the resilience pipeline throws
/// into a message that names the role, the call and the cause (a timeout after N s, an open circuit, a
/// refused connection), never a bare cancellation. Logs each call's status and time at Debug, and
/// server errors at Warning, without the query string (it may hold a key).
/// </summary>
internal sealed class RoleHttpGate(RoleHttpState state, bool readOnly, ILogger log) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var role = state.Role;
        var uri = request.RequestUri is { IsAbsoluteUri: true } absolute
            ? absolute
            : throw new HttpRequestException($"Role '{role}': '{request.RequestUri}' is a relative address and roles:settings:{role}:http:baseAddress is not set.");
        var call = $"{request.Method} {uri.Scheme}://{uri.Authority}{uri.AbsolutePath}";
        if (!state.Options.Allows(uri.Host))
        {
            throw new HttpRequestException($"Role '{role}' may not call host '{uri.Host}' ({call}): it is not in roles:settings:{role}:http:allowedHosts ({string.Join(", ", state.Options.AllowedHosts)}).");
        }

        if (readOnly && request.Method != HttpMethod.Get && request.Method != HttpMethod.Head)
        {
            throw new HttpRequestException($"Role '{role}': a tool only reads (GET, HEAD), so {call} was not sent; return an intent and send it from the intent handler.");
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var level = (int)response.StatusCode >= 500 ? LogLevel.Warning : LogLevel.Debug;
            log.Log(level, "Role {Role}: {Call} answered HTTP {Status} ({Reason}) after {Milliseconds:F0} ms.", role, call, (int)response.StatusCode, response.ReasonPhrase, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (TimeoutRejectedException ex)
        {
            throw Failed($"{call} timed out after {Seconds(state.Options.Timeout)} s{Attempts(request)}", ex);
        }
        catch (BrokenCircuitException ex)
        {
            throw Failed($"{call} was not sent: most recent calls to {uri.Host} failed, so calls to it are paused for up to {Seconds(RoleHttpState.BreakDuration)} s (circuit open)", ex);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failed($"{call} failed{Attempts(request)}: {ex.Message}", ex);
        }

        HttpRequestException Failed(string what, Exception cause)
        {
            log.LogWarning("Role {Role}: {What}.", role, what);
            return new HttpRequestException($"Role '{role}': {what}.", cause, (cause as HttpRequestException)?.StatusCode);
        }
    }

    private string Attempts(HttpRequestMessage request) =>
        state.Options.Retries > 0 && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options)
            ? $" ({state.Options.Retries + 1} attempts)"
            : string.Empty;

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
