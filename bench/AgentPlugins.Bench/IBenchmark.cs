namespace AgentPlugins.Bench;

/// <summary>One measurement: <c>bench NAME RESULT.md</c> runs it and writes its results as Markdown.</summary>
internal interface IBenchmark
{
    /// <summary>The name on the command line: <c>bus</c>, <c>reload</c>, ...</summary>
    string Name { get; }

    Task<string> RunAsync(CancellationToken cancellationToken);
}
