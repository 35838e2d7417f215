namespace AgentPlugins.Host.Storage.Postgres;

/// <summary>
/// One component's tables in the shared database (<c>timers</c>, <c>store</c>, ...) and the numbered
/// steps that build them: step n (1-based) takes the component from version n-1 to n. Steps are only
/// ever appended; a released step never changes (a database already past it would not see the change).
/// </summary>
/// <param name="Name">The component's row in <c>agentplugins_schema</c>.</param>
/// <param name="Steps">SQL per version, run in one transaction with the others still missing.</param>
internal sealed record PostgresComponent(string Name, IReadOnlyList<string> Steps)
{
    /// <summary>The version this host writes: the number of steps it knows.</summary>
    public int Version => Steps.Count;
}
