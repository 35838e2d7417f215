namespace AgentPlugins.Tests.Support;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class Repository
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "AgentPlugins.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Cannot find AgentPlugins.sln above " + AppContext.BaseDirectory);
    });

    public static string Root => RootPath.Value;

    public static string SampleRole(string fileName) => Path.Combine(Root, "roles", fileName);

    public static string Fixture(string relativePath) => Path.Combine(Root, "tests", "fixtures", relativePath);

    /// <summary>The runnable host that <c>make build</c> leaves at the repository root.</summary>
    public static string HostExecutable => Path.Combine(Root, "bin", "host");
}
