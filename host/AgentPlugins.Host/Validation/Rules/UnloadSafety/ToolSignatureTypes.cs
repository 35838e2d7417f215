using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.UnloadSafety;

/// <summary>
/// AP0206: tool parameters and results use only BCL primitives, strings, a few BCL value types and SDK
/// types. Semantic Kernel caches a parser per parameter type and a converter per return type for the
/// life of the process, so a role-defined type there pins the role's context forever.
/// </summary>
internal sealed class ToolSignatureTypes : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0206", RuleCategory.UnloadSafety, "Tool signatures use only BCL and SDK types", "{0}");

    private static readonly HashSet<string> ValueTypes = new(
    [
        "System.DateTime", "System.DateTimeOffset", "System.TimeSpan", "System.DateOnly", "System.TimeOnly",
        "System.Guid", "System.Uri", "System.Half",
    ], StringComparer.Ordinal);

    // Semantic Kernel (or the host, for ToolContext) fills these itself; they never come from the model.
    private static readonly HashSet<string> ContextTypes = new(
    [
        "System.Threading.CancellationToken", "System.IServiceProvider", "System.IFormatProvider", "System.Globalization.CultureInfo",
        "Microsoft.SemanticKernel.Kernel", "Microsoft.SemanticKernel.KernelArguments", "Microsoft.SemanticKernel.KernelFunction",
        "Microsoft.Extensions.Logging.ILogger", "Microsoft.Extensions.Logging.ILoggerFactory", "AgentPlugins.Sdk.ToolContext",
    ], StringComparer.Ordinal);

    private static readonly HashSet<string> Containers = new(
    [
        "System.Nullable", "System.Threading.Tasks.Task", "System.Threading.Tasks.ValueTask",
        "System.Collections.Generic.IEnumerable", "System.Collections.Generic.IReadOnlyList", "System.Collections.Generic.IReadOnlyCollection",
        "System.Collections.Generic.IList", "System.Collections.Generic.ICollection", "System.Collections.Generic.List",
        "System.Collections.Generic.IReadOnlyDictionary", "System.Collections.Generic.IDictionary", "System.Collections.Generic.Dictionary",
    ], StringComparer.Ordinal);

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var tool in role.ToolMethods)
        {
            var syntax = tool.DeclaringSyntaxReferences.Select(r => r.GetSyntax(role.Cancellation)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (syntax is null)
            {
                continue;
            }

            foreach (var (parameter, parameterSyntax) in tool.Parameters.Zip(syntax.ParameterList.Parameters))
            {
                if (Problem(role, parameter.Type) is { } problem)
                {
                    report.Add(Rule, (parameterSyntax.Type ?? (SyntaxNode)parameterSyntax).GetLocation(), $"Tool {tool.Name}: parameter {parameter.Name} {problem}");
                }
            }

            if (!tool.ReturnsVoid && Problem(role, tool.ReturnType) is { } result)
            {
                report.Add(Rule, syntax.ReturnType.GetLocation(), $"Tool {tool.Name}: its result {result}");
            }
        }
    }

    private static string? Problem(RoleSource role, ITypeSymbol type)
    {
        if (Offender(role, type) is not { } offender)
        {
            return null;
        }

        return role.IsDeclaredHere(offender)
            ? $"uses {offender.Name}, a type the role defines; Semantic Kernel caches tool types for the life of the process, so the role could never unload. Use strings, numbers, bool, DateTimeOffset, TimeSpan or SDK types."
            : $"uses {offender.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}, which is not a primitive, string, BCL value type or SDK type; the model can only pass and read simple values.";
    }

    // The first part of `type` that is not allowed, or null when all of it is.
    private static ITypeSymbol? Offender(RoleSource role, ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return Offender(role, array.ElementType);
            case INamedTypeSymbol named when role.IsDeclaredHere(named):
                return named;
            case INamedTypeSymbol { SpecialType: not SpecialType.None and not SpecialType.System_Object }:
                return null;
            case INamedTypeSymbol named when named.TypeKind == TypeKind.Enum || named.ContainingAssembly?.Name == KnownSymbols.SdkAssembly:
                return null;
            case INamedTypeSymbol named when named.IsGenericType && Containers.Contains(role.FullName(named.OriginalDefinition)):
                return named.TypeArguments.Select(argument => Offender(role, argument)).FirstOrDefault(offender => offender is not null);
            case INamedTypeSymbol named when ValueTypes.Contains(role.FullName(named)) || ContextTypes.Contains(role.FullName(named)):
                return null;
            case INamedTypeSymbol { Name: "Task" or "ValueTask", IsGenericType: false } named when role.FullName(named).StartsWith("System.Threading.Tasks.", StringComparison.Ordinal):
                return null;
            default:
                return type;
        }
    }
}
