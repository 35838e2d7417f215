using System.Globalization;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Http;

/// <summary>
/// A role's HTTP client, from its settings <c>roles:settings:NAME:http</c>: <c>baseAddress</c>,
/// <c>timeout</c> (per attempt), <c>retries</c> (of GETs and other safe methods, on a timeout, a refused
/// connection, 408, 429 or 5xx), <c>headers:NAME</c>, and <c>allowedHosts</c> (a list or a comma-separated
/// string; empty allows any host). Read when the role loads: a bad value is a load error naming the key.
/// </summary>
internal sealed record RoleHttpOptions(
    Uri? BaseAddress,
    TimeSpan Timeout,
    int Retries,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<string> AllowedHosts)
{
    public const string Section = "http";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    public const int DefaultRetries = 2;
    public const int MaxRetries = 10;

    public static RoleHttpOptions Default { get; } = new(null, DefaultTimeout, DefaultRetries, [], []);

    /// <summary>True when <paramref name="host"/> may be called: no list, or the host is on it (a leading <c>*.</c> allows subdomains).</summary>
    public bool Allows(string host) =>
        AllowedHosts.Count == 0 || AllowedHosts.Any(allowed => allowed.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(allowed, host, StringComparison.OrdinalIgnoreCase));

    /// <summary>A text that differs whenever the client must be built anew.</summary>
    public string Fingerprint =>
        string.Join('\n', [BaseAddress?.ToString() ?? string.Empty, Timeout.ToString("c", CultureInfo.InvariantCulture), Retries.ToString(CultureInfo.InvariantCulture),
            string.Join('\u0001', Headers.Select(h => $"{h.Key}={h.Value}")), string.Join(',', AllowedHosts)]);

    /// <exception cref="ConfigurationException">A value is not usable; the message names the role and key.</exception>
    public static RoleHttpOptions Read(string role, RoleSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string Key(string name) => $"roles:settings:{role}:{Section}:{name}";
        var prefix = Section + ":";

        Uri? baseAddress = null;
        if (settings[prefix + "baseAddress"] is { Length: > 0 } address)
        {
            if (!Uri.TryCreate(address.EndsWith('/') ? address : address + "/", UriKind.Absolute, out baseAddress) || baseAddress.Scheme is not ("http" or "https"))
            {
                throw new ConfigurationException($"Role '{role}': '{Key("baseAddress")}' = '{address}' is not an absolute http(s) address, e.g. \"https://api.example.com/v1/\".");
            }
        }

        var timeout = DefaultTimeout;
        if (settings[prefix + "timeout"] is { Length: > 0 } timeoutText
            && (!TimeSpan.TryParse(timeoutText, CultureInfo.InvariantCulture, out timeout) || timeout <= TimeSpan.Zero || timeout > TimeSpan.FromMinutes(10)))
        {
            throw new ConfigurationException($"Role '{role}': '{Key("timeout")}' = '{timeoutText}' must be a time span above 0 and at most 00:10:00, e.g. \"00:00:10\".");
        }

        var retries = DefaultRetries;
        if (settings[prefix + "retries"] is { Length: > 0 } retriesText
            && (!int.TryParse(retriesText, NumberStyles.None, CultureInfo.InvariantCulture, out retries) || retries > MaxRetries))
        {
            throw new ConfigurationException($"Role '{role}': '{Key("retries")}' = '{retriesText}' must be a whole number from 0 to {MaxRetries}.");
        }

        var headers = settings.Keys
            .Where(k => k.StartsWith(prefix + "headers:", StringComparison.OrdinalIgnoreCase))
            .Select(k => new KeyValuePair<string, string>(k[(prefix.Length + "headers:".Length)..], settings[k]!))
            .OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
            .ToList();

        var allowed = settings.Keys
            .Where(k => k.StartsWith(prefix + "allowedHosts", StringComparison.OrdinalIgnoreCase))
            .SelectMany(k => settings[k]!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
        foreach (var host in allowed)
        {
            if (Uri.CheckHostName(host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host) == UriHostNameType.Unknown)
            {
                throw new ConfigurationException($"Role '{role}': '{Key("allowedHosts")}' holds '{host}', which is not a host name (e.g. \"api.example.com\" or \"*.example.com\", without scheme or port).");
            }
        }

        if (baseAddress is not null && allowed.Count > 0 && !new RoleHttpOptions(null, timeout, retries, headers, allowed).Allows(baseAddress.Host))
        {
            throw new ConfigurationException($"Role '{role}': '{Key("baseAddress")}' points at '{baseAddress.Host}', which '{Key("allowedHosts")}' does not allow.");
        }

        return new RoleHttpOptions(baseAddress, timeout, retries, headers, allowed);
    }
}
