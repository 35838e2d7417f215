using AgentPlugins.Host.Compilation;
using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation;

/// <summary>Collects what the rules find, as the same <see cref="RoleDiagnostic"/>s the compiler's problems become.</summary>
internal sealed class RuleReport
{
    private readonly List<RoleDiagnostic> _found = [];

    public IReadOnlyList<RoleDiagnostic> Diagnostics => _found;

    public void Add(DiagnosticDescriptor rule, Location location, params object?[] messageArguments)
    {
        var diagnostic = Diagnostic.Create(rule, location, messageArguments);
        _found.Add(RoleDiagnostic.From(diagnostic, location.SourceTree?.FilePath ?? string.Empty));
    }
}
