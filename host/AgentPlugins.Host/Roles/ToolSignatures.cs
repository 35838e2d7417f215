using System.Reflection;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// Finds tool signatures that mention a role-defined type. Semantic Kernel keeps static caches keyed
/// by parameter and return types, so such a type would pin its role's context in memory forever.
/// </summary>
internal static class ToolSignatures
{
    /// <summary>Descriptions of every offending parameter or return type, empty when the tools are safe.</summary>
    public static IReadOnlyList<string> FindRoleTypes(Type toolType, Assembly roleAssembly)
    {
        var found = new List<string>();
        var methods = toolType.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(m => m.GetCustomAttribute<KernelFunctionAttribute>() is not null);
        foreach (var method in methods)
        {
            foreach (var parameter in method.GetParameters())
            {
                if (Mentions(parameter.ParameterType, roleAssembly))
                {
                    found.Add($"{method.Name}({parameter.Name}: {parameter.ParameterType.Name})");
                }
            }

            if (Mentions(method.ReturnType, roleAssembly))
            {
                found.Add($"{method.Name} returns {method.ReturnType.Name}");
            }
        }

        return found;
    }

    private static bool Mentions(Type type, Assembly roleAssembly)
    {
        if (type.Assembly == roleAssembly)
        {
            return true;
        }

        if (type.HasElementType && Mentions(type.GetElementType()!, roleAssembly))
        {
            return true;
        }

        return type.IsGenericType && type.GetGenericArguments().Any(argument => Mentions(argument, roleAssembly));
    }
}
