using AgentPlugins.Host;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Configuration;

/// <summary><c>storage:provider</c> and its connection string: SQLite by default, PostgreSQL only with a usable connection string.</summary>
public sealed class StorageOptionsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Sqlite_is_the_default_and_needs_nothing_else()
    {
        var (options, _) = OptionsLoader.Load(_folder.Write("plugins.json", "{}"));

        Assert.Equal(StorageOptions.Sqlite, options.Storage.Provider);
        Assert.False(options.Storage.IsPostgres);
    }

    [Fact]
    public void Postgres_with_a_connection_string_is_accepted()
    {
        var (options, _) = OptionsLoader.Load(_folder.Write("plugins.json", """{ "storage": { "provider": "postgres", "connectionString": "Host=db;Database=agentplugins;Username=app" } }"""));

        Assert.True(options.Storage.IsPostgres);
        Assert.Equal("Host=db;Database=agentplugins;Username=app", options.Storage.ResolveConnectionString(_ => null));
    }

    [Fact]
    public void Postgres_reads_the_connection_string_from_the_variable_it_names()
    {
        var variable = "AP_TEST_PG_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, "Host=db;Database=x;Username=app;Password=secret");
        try
        {
            var (options, _) = OptionsLoader.Load(_folder.Write("plugins.json", $$"""{ "storage": { "provider": "postgres", "connectionStringVariable": "{{variable}}" } }"""));

            Assert.Equal("Host=db;Database=x;Username=app;Password=secret", options.Storage.ResolveConnectionString(Environment.GetEnvironmentVariable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void An_unknown_provider_is_refused_naming_the_key_and_the_allowed_values()
    {
        var path = _folder.Write("plugins.json", """{ "storage": { "provider": "mysql" } }""");

        var error = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(path));

        Assert.Equal($"{path}: 'storage:provider' is 'mysql'; it must be one of: sqlite, postgres.", error.Message);
    }

    [Fact]
    public void A_missing_connection_string_variable_is_refused_naming_the_key_and_the_variable()
    {
        var path = _folder.Write("plugins.json", """{ "storage": { "provider": "postgres", "connectionStringVariable": "AP_TEST_NOT_SET_EVER" } }""");

        var error = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(path));

        Assert.Equal($"{path}: 'storage:connectionStringVariable' names the environment variable 'AP_TEST_NOT_SET_EVER', which is not set.", error.Message);
    }

    [Theory]
    [InlineData("""{ "storage": { "provider": "postgres" } }""", "'storage:connectionString' or 'storage:connectionStringVariable' must be set when storage:provider is postgres.")]
    [InlineData("""{ "storage": { "provider": "postgres", "connectionString": "Host=db", "connectionStringVariable": "PATH" } }""", "'storage:connectionStringVariable' and 'storage:connectionString' are both set; keep one.")]
    [InlineData("""{ "storage": { "provider": "postgres", "connectionString": "Hots=db;Password=hunter2" } }""", "'storage:connectionString' is not a PostgreSQL connection string Npgsql accepts (")]
    [InlineData("""{ "storage": { "timerLease": "00:00:00.5" } }""", "'storage:timerLease' must be a time span from 00:00:01 to 01:00:00")]
    [InlineData("""{ "storage": { "hostId": "  " } }""", "'storage:hostId' must be a name of 1 to 200 characters")]
    public void Unusable_postgres_settings_are_refused_naming_the_key(string json, string expected)
    {
        var path = _folder.Write("plugins.json", json);

        var error = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(path));

        Assert.StartsWith($"{path}: {expected}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_provider_may_come_from_the_environment_and_the_error_blames_the_variable()
    {
        Environment.SetEnvironmentVariable("AGENTPLUGINS_STORAGE__PROVIDER", "postgress");
        try
        {
            var error = Assert.Throws<ConfigurationException>(() => OptionsLoader.Load(_folder.Write("plugins.json", "{}")));

            Assert.StartsWith("environment variable AGENTPLUGINS_STORAGE__PROVIDER: 'storage:provider' is 'postgress'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AGENTPLUGINS_STORAGE__PROVIDER", null);
        }
    }
}
