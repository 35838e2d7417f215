using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation;

/// <summary>A class, record, struct, interface or enum declared in the role file.</summary>
internal sealed record DeclaredType(BaseTypeDeclarationSyntax Syntax, INamedTypeSymbol Symbol)
{
    /// <summary>The type's name in its declaration: where rules about the whole type point.</summary>
    public Location NameLocation => Syntax.Identifier.GetLocation();
}
