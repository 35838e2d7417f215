using System.Collections.ObjectModel;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// A tool's <see cref="ToolContext"/> parameter. Semantic Kernel binds a method parameter from the
/// call's <see cref="KernelArguments"/> by name and passes a value that is already of the parameter's
/// type as it is; the function's metadata, which is all the model's schema and <c>/help</c> are built
/// from, may be given apart. So the host builds each such tool with metadata that leaves the
/// parameter out, and puts the context into the arguments under the parameter's name for the length
/// of one call. Nothing of the role is captured beyond the function itself.
/// </summary>
internal static class ToolContextParameter
{
    private const string NamesKey = "agentplugins.toolContext";

    /// <summary>
    /// <paramref name="function"/> itself when its method takes no <see cref="ToolContext"/>; otherwise the
    /// same method as a function whose parameters leave the context out (and that remembers its name).
    /// </summary>
    public static KernelFunction Hide(KernelFunction function, object target)
    {
        ArgumentNullException.ThrowIfNull(function);
        var names = function.UnderlyingMethod?.GetParameters()
            .Where(p => p.ParameterType == typeof(ToolContext))
            .Select(p => p.Name!)
            .ToArray();
        if (names is not { Length: > 0 })
        {
            return function;
        }

        return KernelFunctionFactory.CreateFromMethod(function.UnderlyingMethod!, target, new KernelFunctionFromMethodOptions
        {
            FunctionName = function.Name,
            Description = function.Description,
            Parameters = function.Metadata.Parameters.Where(p => p.ParameterType != typeof(ToolContext)).ToList(),
            ReturnParameter = function.Metadata.ReturnParameter,
            AdditionalMetadata = new ReadOnlyDictionary<string, object?>(new Dictionary<string, object?> { [NamesKey] = names }),
        });
    }

    /// <summary>Whether <paramref name="function"/> (as <see cref="Hide"/> built it) takes a <see cref="ToolContext"/>.</summary>
    public static bool Takes(KernelFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return function.Metadata.AdditionalProperties.TryGetValue(NamesKey, out var value) && value is string[];
    }

    /// <summary>
    /// Puts <paramref name="context"/> into <paramref name="arguments"/> for a call of <paramref name="function"/>;
    /// dispose the result once the call ended, so the context never outlives it (nor is sent back to the model
    /// with the call's arguments).
    /// </summary>
    public static Binding Bind(KernelFunction function, KernelArguments arguments, ToolContext context)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(arguments);
        if (!function.Metadata.AdditionalProperties.TryGetValue(NamesKey, out var value) || value is not string[] names)
        {
            return default;
        }

        // The host's value wins over anything the model sent under the same name.
        foreach (var name in names)
        {
            arguments[name] = context;
        }

        return new Binding(arguments, names);
    }

    /// <summary>Takes the context out of the arguments again.</summary>
    public readonly struct Binding(KernelArguments? arguments, string[]? names) : IDisposable
    {
        public void Dispose()
        {
            if (arguments is null || names is null)
            {
                return;
            }

            foreach (var name in names)
            {
                arguments.Remove(name);
            }
        }
    }
}
