namespace AgentPlugins.Host.Compilation;

/// <summary>The outcome of compiling one role file: an assembly and its PDB, or the errors that stopped it.</summary>
internal sealed record CompiledRole(
    string Path,
    string ContentHash,
    byte[]? Assembly,
    byte[]? Pdb,
    IReadOnlyList<RoleDiagnostic> Diagnostics)
{
    public bool Succeeded => Assembly is not null;

    /// <summary>How long each compile stage took; null when nothing was compiled (the file could not be read).</summary>
    public CompileTimings? Timings { get; init; }

    public IEnumerable<RoleDiagnostic> Errors => Diagnostics.Where(d => d.IsError);
}
