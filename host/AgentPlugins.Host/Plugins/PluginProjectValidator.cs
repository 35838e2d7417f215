using System.Text;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Validation;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace AgentPlugins.Host.Plugins;

/// <summary>
/// Checks a compiled plugin's project the way role files are checked: its source files (what the
/// project compiles, against what it compiles with) through the compiler and the role rules that hold
/// for a project (<see cref="RoleRules.PerProjectFile"/>), each problem at its file, line and column;
/// then, when the project has a build, the checks the host runs when it loads that build (<see cref="PluginChecks"/>).
/// </summary>
internal static class PluginProjectValidator
{
    /// <exception cref="PluginProjectException">The project cannot be evaluated (no SDK, a restore that fails, ...).</exception>
    public static PluginProjectReport Validate(string projectPath, bool strict = false, CancellationToken cancellationToken = default)
    {
        var project = PluginProjectReader.Read(projectPath, cancellationToken);
        var notes = new List<string>();
        var parse = new CSharpParseOptions(LanguageOf(project.LanguageVersion), preprocessorSymbols: project.Symbols);
        var trees = project.Sources.Select(source => CSharpSyntaxTree.ParseText(SourceText.From(File.ReadAllText(source), Encoding.UTF8), parse, source, cancellationToken)).ToList();
        var compilation = CSharpCompilation.Create(
            project.AssemblyName,
            trees,
            project.References.Select(r => MetadataReference.CreateFromFile(r)),
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: Enum.TryParse<NullableContextOptions>(project.Nullable, ignoreCase: true, out var nullable) ? nullable : NullableContextOptions.Disable,
                allowUnsafe: project.AllowUnsafe));

        // The compiler's errors; its warnings are the build's to report, under the project's own settings.
        var found = compilation.GetDiagnostics(cancellationToken)
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => RoleDiagnostic.From(d, project.ProjectPath))
            .ToList();

        // The project's own files: what it generates under obj/ (global usings, assembly attributes) is no one's to fix.
        var own = trees.Where(t => !IsGenerated(project, t.FilePath)).ToList();
        var registration = RoleRegistration.Merge(own.Select(t => RoleSource.Of(compilation, t, RoleRules.Triggers, null, cancellationToken).Registration));
        foreach (var tree in own)
        {
            var source = RoleSource.Of(compilation, tree, RoleRules.Triggers, registration, cancellationToken);
            found.AddRange(RoleRules.Analyze(source, RoleRules.PerProjectFile, cancellationToken).Diagnostics);
        }

        var build = project.FindBuild();
        if (build is null)
        {
            notes.Add($"{project.ProjectPath}: no build under {project.OutputRoot}, so the checks the host runs on loading a build did not run; `dotnet build` the project and validate again.");
        }
        else
        {
            var newest = own.Select(t => File.GetLastWriteTimeUtc(t.FilePath)).DefaultIfEmpty().Max();
            if (newest > File.GetLastWriteTimeUtc(build))
            {
                notes.Add($"{build} is older than the project's sources: the load checks ran on that build, not on the sources as they are now.");
            }

            found.AddRange(PluginChecks.Check(build));
        }

        // A rule that reads what the whole project registers can find the same thing from each file.
        var diagnostics = found
            .Distinct()
            .Select(d => strict && d.Severity == DiagnosticSeverity.Warning ? d with { Severity = DiagnosticSeverity.Error } : d)
            .ToList();
        var order = own.Select(t => t.FilePath).Concat(diagnostics.Select(d => d.Path)).Distinct(StringComparer.Ordinal);
        var files = order
            .Select(path => new FileValidation(path, [.. diagnostics.Where(d => d.Path == path).OrderBy(d => d.Line).ThenBy(d => d.Column)]))
            .ToList();
        return new PluginProjectReport(project, new ValidationResult(files), build, notes);
    }

    private static bool IsGenerated(EvaluatedProject project, string path)
    {
        var relative = Path.GetRelativePath(project.Folder, path);
        return relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || path.EndsWith(".g.cs", StringComparison.OrdinalIgnoreCase);
    }

    private static LanguageVersion LanguageOf(string? version) =>
        version is not null && LanguageVersionFacts.TryParse(version, out var parsed) ? parsed : LanguageVersion.Default;
}
