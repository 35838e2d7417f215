using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Compilation;

/// <summary>
/// A problem with a role file, printed the way the C# compiler prints one, so editors, CI and LLM
/// agents parse it as they parse <c>dotnet build</c>: <c>path(line,col): error CODE: message</c>.
/// </summary>
internal sealed record RoleDiagnostic(
    string Path,
    int Line,
    int Column,
    int EndLine,
    int EndColumn,
    DiagnosticSeverity Severity,
    string Code,
    string Message,
    string? HelpUri = null)
{
    // Kept as a number: a field of Roslyn's enum type would load Roslyn with the first (even empty)
    // list of diagnostics, and a host whose roles all come from the compile cache does not need it.
    private readonly int _severity = (int)Severity;

    public DiagnosticSeverity Severity { get => (DiagnosticSeverity)_severity; init => _severity = (int)value; }

    public bool IsError => _severity == (int)DiagnosticSeverity.Error;

    public static RoleDiagnostic From(Diagnostic diagnostic, string fallbackPath)
    {
        var span = diagnostic.Location.GetMappedLineSpan();
        var path = span.IsValid && !string.IsNullOrEmpty(span.Path) ? span.Path : fallbackPath;
        var start = span.IsValid ? span.StartLinePosition : default;
        var end = span.IsValid ? span.EndLinePosition : default;
        return new RoleDiagnostic(
            path,
            start.Line + 1,
            start.Character + 1,
            end.Line + 1,
            end.Character + 1,
            diagnostic.Severity,
            diagnostic.Id,
            diagnostic.GetMessage(CultureInfo.InvariantCulture),
            string.IsNullOrEmpty(diagnostic.Descriptor.HelpLinkUri) ? null : diagnostic.Descriptor.HelpLinkUri);
    }

    /// <summary>A problem found while loading, at a known place in the file (or its start).</summary>
    /// <remarks>Never inlined (nor <see cref="Warning"/>): the constructor's signature names Roslyn's enum, and a caller
    /// that merely might report a problem (activating a cached role) would load Roslyn with its own code.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static RoleDiagnostic Error(string path, string code, string message, int line = 1, int column = 1) =>
        new(path, line, column, line, column, DiagnosticSeverity.Error, code, message);

    /// <summary>Something worth saying about a file that does not stop it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static RoleDiagnostic Warning(string path, string code, string message, int line = 1, int column = 1) =>
        new(path, line, column, line, column, DiagnosticSeverity.Warning, code, message);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Path}({Line},{Column}): {SeverityName} {Code}: {Message}");

    private string SeverityName => Severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        DiagnosticSeverity.Info => "info",
        _ => "hidden",
    };
}
