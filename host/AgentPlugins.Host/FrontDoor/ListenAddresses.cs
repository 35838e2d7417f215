using System.Net;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>The addresses of <c>http:urls</c>, and whether each stays on this machine.</summary>
internal static class ListenAddresses
{
    /// <summary>Splits <paramref name="urls"/> on <c>;</c>; null with <paramref name="error"/> when one is not an absolute http(s) address.</summary>
    public static IReadOnlyList<Uri>? Parse(string urls, out string error)
    {
        var parsed = new List<Uri>();
        foreach (var part in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcards (http://*:80, http://+:80) are not valid host names for Uri; they listen everywhere.
            var text = part.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/")
            {
                error = $"'{part}' is not an http:// address with a port, e.g. \"http://127.0.0.1:5080\" (for TLS, put a reverse proxy in front).";
                return null;
            }

            if (!string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(uri.Host.Trim('[', ']'), out _))
            {
                error = $"'{part}' names the host '{uri.Host}'; listen on an IP address (127.0.0.1, 0.0.0.0, [::1]) or localhost.";
                return null;
            }

            parsed.Add(uri);
        }

        if (parsed.Count == 0)
        {
            error = "must name at least one address, e.g. \"http://127.0.0.1:5080\".";
            return null;
        }

        error = string.Empty;
        return parsed;
    }

    /// <summary>Tells Kestrel to listen on <paramref name="address"/>.</summary>
    public static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, Uri address)
    {
        if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(address.Port);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(address.Host.Trim('[', ']')), address.Port);
        }
    }

    /// <summary>True when only this machine can reach <paramref name="address"/>.</summary>
    public static bool IsLoopback(Uri address) =>
        string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
