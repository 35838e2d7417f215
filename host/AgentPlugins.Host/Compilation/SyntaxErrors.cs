using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Compilation;

/// <summary>
/// The syntax errors of a role file. A file that does not parse (a half-written save) is reported by
/// these alone, in line order: the compiler's other errors and the rules' findings on such a file
/// mostly follow from the parse failure (a method cut off leaves names undefined, paths without a
/// return, a Register without its handlers) and would bury the one real mistake.
/// </summary>
internal static class SyntaxErrors
{
    /// <summary>True when the role file in <paramref name="tree"/> does not parse.</summary>
    public static bool In(SyntaxTree tree, CancellationToken cancellationToken = default) =>
        tree.GetRoot(cancellationToken).ContainsDiagnostics
        && tree.GetDiagnostics(cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>The syntax errors of the role file in <paramref name="compilation"/> (its last tree), or none when it parses.</summary>
    public static IReadOnlyList<RoleDiagnostic> Of(Microsoft.CodeAnalysis.Compilation compilation, CancellationToken cancellationToken = default)
    {
        var tree = compilation.SyntaxTrees.Last();
        if (!In(tree, cancellationToken))
        {
            return [];
        }

        return [.. tree.GetDiagnostics(cancellationToken)
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => RoleDiagnostic.From(d, tree.FilePath))
            .OrderBy(d => d.Line)
            .ThenBy(d => d.Column)];
    }
}
