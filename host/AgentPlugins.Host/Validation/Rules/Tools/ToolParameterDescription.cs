using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Tools;

/// <summary>AP0402: every parameter the model fills is described, with an example of a good value.</summary>
internal sealed class ToolParameterDescription : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0402", RuleCategory.Tools, "Every tool parameter has a description",
        "Parameter {0} of tool {1} has no description; add [Description(\"what it is, e.g. an example\")] before it: the model fills parameters from their descriptions.");

    // Semantic Kernel (or the host, for ToolContext) fills these itself; the model never sees them.
    private static readonly HashSet<string> FilledByKernel = new(
    [
        "System.Threading.CancellationToken", "System.IServiceProvider", "System.IFormatProvider", "System.Globalization.CultureInfo",
        "Microsoft.SemanticKernel.Kernel", "Microsoft.SemanticKernel.KernelArguments", "Microsoft.SemanticKernel.KernelFunction",
        "Microsoft.Extensions.Logging.ILogger", "Microsoft.Extensions.Logging.ILoggerFactory", "AgentPlugins.Sdk.ToolContext",
    ], StringComparer.Ordinal);

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var tool in role.ToolMethods)
        {
            foreach (var parameter in tool.Parameters)
            {
                if (!FilledByKernel.Contains(role.FullName(parameter.Type)) && string.IsNullOrWhiteSpace(KnownSymbols.DescriptionOf(parameter)))
                {
                    report.Add(Rule, parameter.Locations[0], parameter.Name, tool.Name);
                }
            }
        }
    }
}
