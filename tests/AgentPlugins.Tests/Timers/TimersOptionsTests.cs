using AgentPlugins.Host;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Timers;

/// <summary>The <c>timers</c> section of plugins.json: bound, validated, and its errors name the key.</summary>
public sealed class TimersOptionsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_timers_section_binds()
    {
        var (options, _) = Load("""{ "timers": { "timeZone": "Europe/Paris", "maxDuration": "2.00:00:00", "maxPerUser": 7 } }""");

        Assert.Equal("Europe/Paris", options.Timers.TimeZone);
        Assert.Equal("Europe/Paris", options.Timers.FindTimeZone()!.Id);
        Assert.Equal(TimeSpan.FromDays(2), options.Timers.MaxDuration);
        Assert.Equal(7, options.Timers.MaxPerUser);
    }

    [Fact]
    public void Without_a_timers_section_the_defaults_apply()
    {
        var (options, _) = Load("{}");

        Assert.Equal(TimeZoneInfo.Local, options.Timers.FindTimeZone());
        Assert.Equal(TimeSpan.FromDays(30), options.Timers.MaxDuration);
        Assert.Equal(100, options.Timers.MaxPerUser);
    }

    [Fact]
    public void The_repository_plugins_json_is_valid() =>
        Assert.Equal(100, OptionsLoader.Load(Path.Combine(Repository.Root, "plugins.json")).Options.Timers.MaxPerUser);

    [Theory]
    [InlineData("""{ "timers": { "timeZone": "Mars/Olympus_Mons" } }""", "'timers:timeZone' 'Mars/Olympus_Mons' is not a time zone this machine knows")]
    [InlineData("""{ "timers": { "maxDuration": "-00:05:00" } }""", "'timers:maxDuration' must be a positive time span")]
    [InlineData("""{ "timers": { "maxDuration": "40000.00:00:00" } }""", "'timers:maxDuration' must be a positive time span of at most 36500 days")]
    [InlineData("""{ "timers": { "maxPerUser": 0 } }""", "'timers:maxPerUser' must be from 1 to 1,000,000 timers (it is 0)")]
    [InlineData("""{ "timers": { "maxPerUser": "lots" } }""", "Timers:MaxPerUser")]
    [InlineData("""{ "timers": { "maxPerUsr": 5 } }""", "maxPerUsr")]
    public void A_bad_value_stops_start_up_with_a_message_naming_the_key(string json, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(json));
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private (AgentPluginsOptions Options, string BaseFolder) Load(string json) =>
        OptionsLoader.Load(_folder.Write("plugins.json", json));
}
