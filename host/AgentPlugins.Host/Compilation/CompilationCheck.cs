using Microsoft.CodeAnalysis.CSharp;

namespace AgentPlugins.Host.Compilation;

/// <summary>Checks a role's compilation before it is emitted (the role rules); an error stops the emit.</summary>
internal delegate IReadOnlyList<RoleDiagnostic> CompilationCheck(CSharpCompilation compilation, CancellationToken cancellationToken);
