namespace AgentPlugins.Host.Plugins;

/// <summary>A compiled plugin's project as MSBuild evaluates it: what it compiles, against what, and where its builds go.</summary>
/// <param name="ProjectPath">The .csproj, full path.</param>
/// <param name="AssemblyName">The assembly the project builds.</param>
/// <param name="Sources">The Compile items (generated ones, such as the global usings, included), full paths.</param>
/// <param name="References">The assemblies the compiler is given (reference assemblies where there are), full paths.</param>
/// <param name="LanguageVersion">The project's LangVersion, or null for the compiler's default.</param>
/// <param name="Nullable">The project's Nullable setting (enable, disable, warnings, annotations), or null.</param>
/// <param name="Symbols">The preprocessor symbols (DefineConstants).</param>
/// <param name="AllowUnsafe">AllowUnsafeBlocks.</param>
/// <param name="OutputRoot">Where builds go (BaseOutputPath, <c>bin/</c> by default), full path.</param>
internal sealed record EvaluatedProject(
    string ProjectPath,
    string AssemblyName,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> References,
    string? LanguageVersion,
    string? Nullable,
    IReadOnlyList<string> Symbols,
    bool AllowUnsafe,
    string OutputRoot)
{
    /// <summary>The project's folder.</summary>
    public string Folder => Path.GetDirectoryName(ProjectPath)!;

    /// <summary>
    /// The newest build of the project under <see cref="OutputRoot"/> (any configuration): the
    /// <c>NAME.dll</c> with a <c>NAME.deps.json</c> beside it, as the host loads it; null when it was never built there.
    /// </summary>
    public string? FindBuild()
    {
        if (!Directory.Exists(OutputRoot))
        {
            return null;
        }

        return Directory.EnumerateFiles(OutputRoot, $"{AssemblyName}.deps.json", SearchOption.AllDirectories)
            .Select(deps => Path.Combine(Path.GetDirectoryName(deps)!, $"{AssemblyName}.dll"))
            .Where(File.Exists)
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .FirstOrDefault();
    }
}
