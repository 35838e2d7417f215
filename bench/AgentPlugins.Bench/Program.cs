using AgentPlugins.Bench;

// bench NAME [RESULT.md]: runs one benchmark (found by its Name) and writes its Markdown result.
var benchmarks = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .ToDictionary(b => b.Name, StringComparer.Ordinal);

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var benchmark))
{
    await Console.Error.WriteLineAsync($"usage: bench NAME [RESULT.md]; names: {string.Join(", ", benchmarks.Keys.Order(StringComparer.Ordinal))}");
    return 2;
}

var markdown = await benchmark.RunAsync(CancellationToken.None);
Console.WriteLine(markdown);
if (args.Length > 1)
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
    await File.WriteAllTextAsync(args[1], markdown);
}

return 0;
