using AgentPlugins.Host;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Configuration;

/// <summary>Every configuration error names its real source (file and line, or the key) and, for numbers, the allowed range.</summary>
public sealed class ConfigurationErrorTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Malformed_json_names_the_file_line_and_column()
    {
        var path = _folder.Write("plugins.json", "{\n  \"roles\": { \"folder\": \"roles\" },\n  \"timers\": { \"maxPerUser\": 5 \"timeZone\": \"UTC\" }\n}\n");

        var error = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(path));

        Assert.StartsWith($"{path} line 3, column 31: not valid JSON (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_that_is_not_an_object_is_refused()
    {
        var path = _folder.Write("plugins.json", "[1, 2]");

        var error = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(path));

        Assert.Equal($"{path}: must hold one JSON object ({{ ... }}), not array.", error.Message);
    }

    [Theory]
    [InlineData("""{ "loop": { "ingressCapacity": 2147483647 } }""", "'loop:ingressCapacity' must be from 1 to 1,048,576 pieces of work (it is 2,147,483,647).")]
    [InlineData("""{ "roles": { "compileCacheMegabytes": 99999999 } }""", "'roles:compileCacheMegabytes' must be from 0 to 1,048,576 megabytes (0 turns the cache off) (it is 99,999,999).")]
    [InlineData("""{ "timers": { "maxPerUser": 2000000000 } }""", "'timers:maxPerUser' must be from 1 to 1,000,000 timers (it is 2,000,000,000).")]
    [InlineData("""{ "retention": { "batchSize": 0 } }""", "'retention:batchSize' must be from 1 to 100,000 rows (it is 0).")]
    [InlineData("""{ "retention": { "interval": "00:00:00.001" } }""", "'retention:interval' must be a time span from 00:00:01 to 1.00:00:00")]
    [InlineData("""{ "retention": { "stores": { "audti": { "maxAge": "1.00:00:00" } } } }""", "'retention:stores:audti' is not a store this host keeps; stores: audit, timers, conversations, store.")]
    [InlineData("""{ "retention": { "stores": { "audit": { "maxMegabytes": -1 } } } }""", "'retention:stores:audit:maxMegabytes' must be from 0 to 1,048,576 megabytes (0 sets no size bound) (it is -1).")]
    [InlineData("""{ "retention": { "stores": { "timers": { "maxAge": "-1.00:00:00" } } } }""", "'retention:stores:timers:maxAge' must be a time span from 00:00:00")]
    public void Absurd_values_are_refused_naming_the_key_and_the_allowed_range(string json, string expected)
    {
        var path = _folder.Write("plugins.json", json);

        var error = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(path));

        Assert.StartsWith($"{path}: {expected}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retention_defaults_apply_per_store_and_plugins_json_overrides_one_field_at_a_time()
    {
        var path = _folder.Write("plugins.json", """{ "retention": { "interval": "00:01:00", "stores": { "audit": { "maxMegabytes": 8 } } } }""");

        var (options, _) = OptionsLoader.Load(path);
        var audit = options.Retention.For("audit", new Host.Storage.RetentionPolicy { MaxAge = TimeSpan.FromDays(90), MaxMegabytes = 64 });

        Assert.Equal(TimeSpan.FromMinutes(1), options.Retention.Interval);
        Assert.Equal(TimeSpan.FromDays(90), audit.MaxAge);
        Assert.Equal(8 * 1024L * 1024L, audit.MaxBytes);
    }

    [Fact]
    public void A_bad_command_line_value_is_blamed_on_the_command_line()
    {
        var path = _folder.Write("plugins.json", "{}");

        var error = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(path, new Dictionary<string, string?> { ["loop:ingressCapacity"] = "0" }));

        Assert.StartsWith("command-line option for loop:ingressCapacity: 'loop:ingressCapacity' must be from 1", error.Message, StringComparison.Ordinal);
    }
}
