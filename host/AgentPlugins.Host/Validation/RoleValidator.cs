using AgentPlugins.Host.Compilation;
using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation;

/// <summary>
/// Checks role files the way the host loads them: each through <see cref="RoleCompiler.CreateCompilation"/>, <see cref="RoleRules.Analyze(Microsoft.CodeAnalysis.CSharp.CSharpCompilation, CancellationToken)"/> and <see cref="RoleCompiler.Emit"/> (the
/// compile, the per-file rules and the emit the loader runs), then the folder rules over every role
/// file of each file's folder. Files compile in parallel; this runs in the CLI, never on the loop.
/// </summary>
internal sealed class RoleValidator(RoleCompiler compiler)
{
    /// <param name="files">Role files to report on (full paths). Their folders' other role files are read for the folder rules only.</param>
    /// <param name="strict">Report warnings as errors.</param>
    public ValidationResult Validate(IReadOnlyList<string> files, bool strict = false, CancellationToken cancellationToken = default)
    {
        var requested = new HashSet<string>(files, StringComparer.Ordinal);
        var folders = files.Select(f => Path.GetDirectoryName(f)!).Distinct(StringComparer.Ordinal).ToList();
        var all = files.Concat(folders.SelectMany(RoleFileReader.FindRoleFiles)).Distinct(StringComparer.Ordinal).ToList();
        var checks = new (IReadOnlyList<RoleDiagnostic> Diagnostics, RoleFacts? Facts)[all.Count];
        Parallel.For(
            0,
            all.Count,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            i => checks[i] = Check(all[i], requested.Contains(all[i]), cancellationToken));

        var found = all.Select((path, i) => (path, i)).ToDictionary(p => p.path, p => checks[p.i].Diagnostics.ToList(), StringComparer.Ordinal);
        foreach (var folder in all.Select((path, i) => (Folder: Path.GetDirectoryName(path)!, checks[i].Facts)).GroupBy(f => f.Folder, StringComparer.Ordinal))
        {
            foreach (var diagnostic in RoleRules.AnalyzeFolder([.. folder.Select(f => f.Facts).OfType<RoleFacts>()]))
            {
                found[diagnostic.Path].Add(diagnostic);
            }
        }

        // A stable sort: at one place the compile's own order (compiler, then rules) stays, as the loader shows it.
        return new ValidationResult([.. files.Select(path => new FileValidation(path, [.. found[path]
            .Select(d => strict && d.Severity == DiagnosticSeverity.Warning ? d with { Severity = DiagnosticSeverity.Error } : d)
            .OrderBy(d => d.Line)
            .ThenBy(d => d.Column)]))]);
    }

    private (IReadOnlyList<RoleDiagnostic>, RoleFacts?) Check(string path, bool report, CancellationToken cancellationToken)
    {
        // Read exactly as the host reads it (regular files only, links kept inside the folder, size
        // and text checks), so validate and the host agree on every file, empty ones included.
        var read = RoleFileReader.ReadAsync(path, Path.GetDirectoryName(Path.GetFullPath(path)), cancellationToken).GetAwaiter().GetResult();
        switch (read.Kind)
        {
            case RoleFileReadKind.Gone:
                return ([RoleDiagnostic.Error(path, RoleFileCodes.Unreadable, "Cannot read the role file: it does not exist.")], null);
            case RoleFileReadKind.Empty or RoleFileReadKind.Problem:
                return ([read.Diagnostic!], null);
        }

        var source = read.File!.Text;

        if (!report)
        {
            // A neighbour only tells the folder rules its name and events; that binds a few expressions, not the file.
            return ([], RoleFacts.Of(RoleSource.Of(compiler.CreateCompilation(path, source), RoleRules.Triggers, cancellationToken)));
        }

        // Compiled exactly as the host compiles it, with the rules' facts kept for the folder rules.
        var compilation = compiler.CreateCompilation(read.File.Path, read.File.Text);
        var analysis = RoleRules.Analyze(compilation, cancellationToken);
        var compiled = RoleCompiler.Emit(compilation, read.File, analysis.Diagnostics, cancellationToken);
        return (compiled.Diagnostics, analysis.Facts);
    }
}
