using System.Text;
using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation;

/// <summary>
/// Recognises the SDK's and Semantic Kernel's types by name and assembly, without looking them up in
/// the ~230 referenced assemblies on every compile.
/// </summary>
internal static class KnownSymbols
{
    public const string SdkAssembly = "AgentPlugins.Sdk";
    public const string KernelAssembly = "Microsoft.SemanticKernel.Abstractions";

    public static bool IsSdk(this ITypeSymbol? type, string name) =>
        type is not null && type.Name == name && type.ContainingAssembly?.Name == SdkAssembly;

    public static bool IsKernelFunctionAttribute(this INamedTypeSymbol? type) =>
        type is not null && type.Name == "KernelFunctionAttribute" && type.ContainingAssembly?.Name == KernelAssembly;

    public static bool IsDescriptionAttribute(this INamedTypeSymbol? type) =>
        type is not null && type.Name == "DescriptionAttribute" && FullName(type) == "System.ComponentModel.DescriptionAttribute";

    /// <summary>True for a role class: a concrete class or record implementing <c>IRole</c>.</summary>
    public static bool IsRole(this INamedTypeSymbol type) =>
        type is { TypeKind: TypeKind.Class or TypeKind.Struct, IsAbstract: false } && type.AllInterfaces.Any(i => i.IsSdk("IRole"));

    /// <summary>True for a concrete intent: a type deriving from the SDK's <c>Intent</c>.</summary>
    public static bool IsConcreteIntent(this INamedTypeSymbol type) => !type.IsAbstract && DerivesFrom(type, "Intent");

    public static bool DerivesFrom(this ITypeSymbol type, string sdkName)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.IsSdk(sdkName))
            {
                return true;
            }
        }

        return false;
    }

    public static bool HasKernelFunction(this IMethodSymbol method) =>
        method.GetAttributes().Any(a => a.AttributeClass.IsKernelFunctionAttribute());

    /// <summary>The text of <c>[Description("...")]</c> on <paramref name="symbol"/>, or null when it has none.</summary>
    public static string? DescriptionOf(ISymbol symbol) =>
        symbol.GetAttributes()
            .Where(a => a.AttributeClass.IsDescriptionAttribute())
            .Select(a => a.ConstructorArguments is [{ Value: string text }] ? text : string.Empty)
            .FirstOrDefault();

    /// <summary><c>Namespace.Outer.Inner</c>, without arity or type arguments: <c>System.Threading.Tasks.Task</c> for <c>Task&lt;int&gt;</c>.</summary>
    public static string FullName(ITypeSymbol type)
    {
        var name = new StringBuilder(type.Name);
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name.Insert(0, '.').Insert(0, outer.Name);
        }

        for (var ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            name.Insert(0, '.').Insert(0, ns.Name);
        }

        return name.ToString();
    }
}
