using AgentPlugins.Host;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Configuration;

public sealed class OptionsLoaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Reads_plugins_json_and_resolves_folders_against_its_location()
    {
        var path = _folder.Write("plugins.json", """{ "roles": { "folder": "my-roles", "settings": { "timer": { "maxTimers": "5" } } }, "scheduler": { "heartbeat": "00:01:00" } }""");

        var (options, _) = OptionsLoader.Load(path);

        Assert.Equal(Path.Combine(_folder.Path, "my-roles"), options.Roles.Folder);
        Assert.Equal(Path.Combine(_folder.Path, "data"), options.Storage.DataFolder);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Scheduler.Heartbeat);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Scheduler.FastHeartbeat);
        Assert.Equal("5", options.Roles.Settings["timer"]["maxTimers"]);
    }

    [Fact]
    public void The_repository_plugins_json_is_valid() =>
        Assert.Equal(Path.Combine(Repository.Root, "roles"), OptionsLoader.Load(Path.Combine(Repository.Root, "plugins.json")).Options.Roles.Folder);

    [Fact]
    public void Command_line_overrides_win()
    {
        var path = _folder.Write("plugins.json", """{ "roles": { "folder": "a" } }""");

        var (options, _) = OptionsLoader.Load(path, new Dictionary<string, string?> { ["roles:folder"] = "/srv/roles" });

        Assert.Equal("/srv/roles", options.Roles.Folder);
    }

    [Theory]
    [InlineData("""{ "roles": { "fodler": "x" } }""", "fodler")]
    [InlineData("""{ "loop": { "ingressCapacity": "lots" } }""", "Loop:IngressCapacity")]
    [InlineData("""{ "scheduler": { "heartbeat": "soon" } }""", "Scheduler:Heartbeat")]
    [InlineData("""{ "scheduler": { "heartbeat": "-00:00:05" } }""", "scheduler:heartbeat")]
    [InlineData("""{ "loop": { "ingressCapacity": 0 } }""", "loop:ingressCapacity")]
    [InlineData("""{ "roles": { "folder": "x" }, """, "plugins.json")]
    public void A_wrong_key_type_or_value_is_refused_naming_the_key(string json, string key)
    {
        var path = _folder.Write("plugins.json", json);

        var error = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(path));

        Assert.Contains(key, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_named_configuration_file_that_does_not_exist_is_refused()
    {
        var error = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(Path.Combine(_folder.Path, "missing.json")));

        Assert.Contains("missing.json", error.Message, StringComparison.Ordinal);
    }
}
