using AgentPlugins.Host.Configuration;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>What start-up checks of <c>http</c> and the HTTP-fed channels, each problem naming its key.</summary>
internal static class HttpOptionsRules
{
    /// <param name="require">Stops start-up with (key, problem) when the condition is false.</param>
    /// <param name="environment">Reads an environment variable (tokens and secrets never sit in plugins.json).</param>
    public static void Check(AgentPluginsOptions options, Action<bool, string, string> require, Func<string, string?> environment)
    {
        var http = options.Http;
        var webhooks = options.Channels.Webhooks;
        var slack = options.Channels.Slack;
        for (var i = 0; i < webhooks.Count; i++)
        {
            var key = $"channels:webhooks:{i}";
            var hook = webhooks[i];
            require(!string.IsNullOrWhiteSpace(hook.Name), $"{key}:name", "must name the webhook.");
            require(webhooks.Count(w => w.Name == hook.Name) == 1, $"{key}:name", $"'{hook.Name}' is used by two webhooks.");
            require(Uri.TryCreate(hook.Url, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps), $"{key}:url", $"'{hook.Url}' is not an http:// or https:// address.");
            require(!string.IsNullOrWhiteSpace(hook.SecretVariable), $"{key}:secretVariable", "must name the environment variable holding the signing secret.");
            require(string.IsNullOrWhiteSpace(hook.SecretVariable) || !string.IsNullOrEmpty(environment(hook.SecretVariable)), $"{key}:secretVariable", $"names the environment variable '{hook.SecretVariable}', which is not set.");
        }

        if (slack.Enabled)
        {
            require(!string.IsNullOrEmpty(environment(slack.SigningSecretVariable)), "channels:slack:signingSecretVariable", $"names the environment variable '{slack.SigningSecretVariable}', which is not set.");
            require(!string.IsNullOrEmpty(environment(slack.BotTokenVariable)), "channels:slack:botTokenVariable", $"names the environment variable '{slack.BotTokenVariable}', which is not set.");
            require(Uri.TryCreate(slack.ApiBase, UriKind.Absolute, out var api) && (api.Scheme == Uri.UriSchemeHttp || api.Scheme == Uri.UriSchemeHttps), "channels:slack:apiBase", $"'{slack.ApiBase}' is not an http:// or https:// address.");
            require(http.Enabled, "channels:slack:enabled", "needs http:enabled: Slack sends its events over HTTP.");
        }

        if (!http.Enabled)
        {
            return;
        }

        var addresses = ListenAddresses.Parse(http.Urls, out var error);
        require(addresses is not null, "http:urls", error);
        var hasToken = !string.IsNullOrWhiteSpace(http.TokenVariable);
        if (hasToken)
        {
            require(!string.IsNullOrEmpty(environment(http.TokenVariable!)), "http:tokenVariable", $"names the environment variable '{http.TokenVariable}', which is not set or empty.");
        }

        require(!http.Mcp.Dev || hasToken, "http:mcp:dev", "needs http:tokenVariable: the development tools read role code and call tools, so they require a bearer token even on loopback.");
        var exposed = addresses!.FirstOrDefault(a => !ListenAddresses.IsLoopback(a));
        require(exposed is null || hasToken, "http:tokenVariable", $"must be set: http:urls listens on {exposed}, beyond this machine, and every request there needs a bearer token.");
        require(http.RequestTimeout > TimeSpan.Zero, "http:requestTimeout", "must be a positive time span, e.g. \"00:00:10\".");
        require(http.HealthTimeout > TimeSpan.Zero, "http:healthTimeout", "must be a positive time span, e.g. \"00:00:02\".");
        require(http.MaxBodyBytes >= 1024, "http:maxBodyBytes", "must be at least 1024 bytes.");
        require(http.RateLimit.PermitsPerSecond > 0, "http:rateLimit:permitsPerSecond", "must be a positive number.");
        require(http.RateLimit.Burst > 0, "http:rateLimit:burst", "must be a positive number.");
        require(http.Outbox.MaxAge > TimeSpan.Zero, "http:outbox:maxAge", "must be a positive time span, e.g. \"7.00:00:00\".");
        require(http.Outbox.MaxCount > 0, "http:outbox:maxCount", "must be a positive number.");
    }
}
