using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Host.Validation;

/// <summary>What <c>host validate</c> found, file by file in the order the files were named.</summary>
internal sealed record ValidationResult(IReadOnlyList<FileValidation> Files)
{
    public IEnumerable<RoleDiagnostic> Diagnostics => Files.SelectMany(f => f.Diagnostics);

    public int Errors => Diagnostics.Count(d => d.IsError);

    public int Warnings => Diagnostics.Count(d => !d.IsError);

    /// <summary>0 when nothing is an error, 1 otherwise: the exit code of <c>host validate</c>.</summary>
    public int ExitCode => Errors > 0 ? 1 : 0;
}
