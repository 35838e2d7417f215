namespace AgentPlugins.Tests.Support;

/// <summary>The tests that need PostgreSQL share one throwaway cluster per test run; each test creates its own database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresTests : ICollectionFixture<PostgresCluster>
{
    public const string Name = "PostgreSQL";
}
