using AgentPlugins.Host;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.FrontDoor;

/// <summary>plugins.json <c>http</c>: start-up refuses what would be unsafe or cannot work, naming the key.</summary>
public sealed class HttpOptionsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Defaults_listen_on_loopback_5080_without_a_token()
    {
        var (options, _) = OptionsLoader.Load(_folder.Write("plugins.json", "{}"));

        Assert.True(options.Http.Enabled);
        Assert.Equal("http://127.0.0.1:5080", options.Http.Urls);
        Assert.Null(options.Http.TokenVariable);
    }

    [Theory]
    [InlineData("""{ "http": { "urls": "http://0.0.0.0:5080" } }""", "http:tokenVariable")]
    [InlineData("""{ "http": { "urls": "http://127.0.0.1:5080;http://192.168.1.4:5080" } }""", "http:tokenVariable")]
    [InlineData("""{ "http": { "urls": "ftp://127.0.0.1:21" } }""", "http:urls")]
    [InlineData("""{ "http": { "urls": "http://example.com:80" } }""", "http:urls")]
    [InlineData("""{ "http": { "tokenVariable": "FRONTDOOR_TEST_NOT_SET_ANYWHERE" } }""", "http:tokenVariable")]
    [InlineData("""{ "http": { "requestTimeout": "00:00:00" } }""", "http:requestTimeout")]
    [InlineData("""{ "http": { "rateLimit": { "burst": 0 } } }""", "http:rateLimit:burst")]
    [InlineData("""{ "http": { "outbox": { "maxCount": -1 } } }""", "http:outbox:maxCount")]
    [InlineData("""{ "http": { "mcp": { "dev": true } } }""", "http:mcp:dev")]
    [InlineData("""{ "channels": { "webhooks": [ { "name": "ops", "url": "not a url", "secretVariable": "PATH" } ] } }""", "channels:webhooks:0:url")]
    [InlineData("""{ "channels": { "slack": { "enabled": true, "signingSecretVariable": "FRONTDOOR_TEST_NOT_SET_ANYWHERE" } } }""", "channels:slack:signingSecretVariable")]
    public void Bad_http_settings_stop_start_up_naming_the_key(string json, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(_folder.Write("plugins.json", json)));

        Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_loopback_address_with_a_token_is_accepted()
    {
        Environment.SetEnvironmentVariable("FRONTDOOR_TEST_TOKEN_SET", "t0k3n");

        var (options, _) = OptionsLoader.Load(_folder.Write("plugins.json", """{ "http": { "urls": "http://0.0.0.0:5080", "tokenVariable": "FRONTDOOR_TEST_TOKEN_SET" } }"""));

        Assert.Equal("FRONTDOOR_TEST_TOKEN_SET", options.Http.TokenVariable);
    }
}
