using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Tests.Support;
using Npgsql;

namespace AgentPlugins.Tests.Storage.Postgres;

/// <summary>Versioned schema migration in a real PostgreSQL: once across hosts, all or nothing, and a newer schema refused by name.</summary>
[Collection(PostgresTests.Name)]
public sealed class PostgresSchemaTests(PostgresCluster cluster)
{
    private static readonly PostgresComponent Widgets = new("widgets", [
        "CREATE TABLE widgets (id bigint PRIMARY KEY); CREATE TABLE widget_log (step int NOT NULL)",
        "ALTER TABLE widgets ADD COLUMN name text NULL; INSERT INTO widget_log VALUES (2)",
    ]);

    [Fact]
    public async Task A_new_database_gets_every_step_and_its_version_recorded()
    {
        await using var database = new PostgresDatabase(await cluster.CreateDatabaseAsync());

        var before = await PostgresSchema.MigrateAsync(database, Widgets, "host-a");

        Assert.Equal(0, before);
        Assert.Equal(2, await PostgresSchema.VersionAsync(database, "widgets"));
        Assert.Equal("host-a", await ScalarAsync(database, "SELECT migrated_by FROM agentplugins_schema WHERE component = 'widgets'"));
        Assert.Equal(0L, await ScalarAsync(database, "SELECT count(*) FROM widgets WHERE name IS NULL"));
    }

    [Fact]
    public async Task An_older_database_gets_only_the_missing_steps_and_a_current_one_none()
    {
        await using var database = new PostgresDatabase(await cluster.CreateDatabaseAsync());
        await PostgresSchema.MigrateAsync(database, Widgets with { Steps = [Widgets.Steps[0]] }, "old-host");

        Assert.Equal(1, await PostgresSchema.MigrateAsync(database, Widgets, "new-host"));
        Assert.Equal(2, await PostgresSchema.MigrateAsync(database, Widgets, "new-host"));

        Assert.Equal(1L, await ScalarAsync(database, "SELECT count(*) FROM widget_log"));
        Assert.Equal(2, await PostgresSchema.VersionAsync(database, "widgets"));
    }

    [Fact]
    public async Task Hosts_starting_together_migrate_once()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        var hosts = Enumerable.Range(0, 6).Select(_ => new PostgresDatabase(connectionString)).ToList();
        try
        {
            // Each step would fail if run twice (CREATE TABLE without IF NOT EXISTS): the lock must serialize them.
            var found = await Task.WhenAll(hosts.Select((h, i) => Task.Run(() => PostgresSchema.MigrateAsync(h, Widgets, $"host-{i}"))));

            Assert.Single(found, f => f == 0);
            Assert.Equal(5, found.Count(f => f == 2));
            Assert.Equal(1L, await ScalarAsync(hosts[0], "SELECT count(*) FROM widget_log"));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_failing_step_leaves_nothing_behind_and_names_the_database()
    {
        await using var database = new PostgresDatabase(await cluster.CreateDatabaseAsync());
        var broken = Widgets with { Steps = [Widgets.Steps[0], "ALTER TABLE widgets ADD COLUMN name text; SELECT no_such_function()"] };

        var error = await Assert.ThrowsAsync<StorageException>(() => PostgresSchema.MigrateAsync(database, broken, "host-a"));

        Assert.Contains($"PostgreSQL database {database.Name}", error.Message, StringComparison.Ordinal);
        Assert.Contains("migrate the widgets schema", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await PostgresSchema.VersionAsync(database, "widgets"));
        Assert.Equal(false, await ScalarAsync(database, "SELECT to_regclass('widgets') IS NOT NULL"));
    }

    [Fact]
    public async Task A_newer_schema_is_refused_naming_the_database_the_component_and_both_versions()
    {
        await using var database = new PostgresDatabase(await cluster.CreateDatabaseAsync());
        await PostgresSchema.MigrateAsync(database, Widgets with { Steps = [.. Widgets.Steps, "CREATE TABLE widgets_v3 (id int)"] }, "newer-host");

        var error = await Assert.ThrowsAsync<StorageException>(() => PostgresSchema.MigrateAsync(database, Widgets, "older-host"));

        Assert.Equal(database.Name, error.Path);
        Assert.Contains($"PostgreSQL database {database.Name} holds the widgets schema at version 3, newer than this host knows (2)", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, await PostgresSchema.VersionAsync(database, "widgets"));
    }

    [Fact]
    public async Task An_unreachable_database_is_named_without_its_password()
    {
        var port = cluster.Port == 1 ? 2 : 1;
        await using var database = new PostgresDatabase($"Host=127.0.0.1;Port={port};Database=nowhere;Username=app;Password=hunter2;Timeout=3");

        var error = await Assert.ThrowsAsync<StorageException>(() => PostgresSchema.MigrateAsync(database, Widgets, "host-a"));

        Assert.Equal($"127.0.0.1:{port}/nowhere", database.Name);
        Assert.Contains($"PostgreSQL database 127.0.0.1:{port}/nowhere cannot be reached", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_that_does_not_exist_is_named()
    {
        var builder = new NpgsqlConnectionStringBuilder(cluster.ConnectionString("postgres")) { Database = "missing_db" };
        await using var database = new PostgresDatabase(builder.ConnectionString);

        var error = await Assert.ThrowsAsync<StorageException>(() => PostgresSchema.MigrateAsync(database, Widgets, "host-a"));

        Assert.Contains($"PostgreSQL database 127.0.0.1:{cluster.Port}/missing_db does not exist", error.Message, StringComparison.Ordinal);
    }

    private static async Task<object?> ScalarAsync(PostgresDatabase database, string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }
}
