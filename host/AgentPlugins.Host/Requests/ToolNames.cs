using System.Text;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Requests;

/// <summary>The names users and models see for a role's tools.</summary>
internal static class ToolNames
{
    /// <summary>The snake_case name users type: SetTimer becomes set_timer.</summary>
    public static string Of(KernelFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var name = function.Name;
        if (name.Contains('_', StringComparison.Ordinal) || !HasUpper(name))
        {
            return name;
        }

        var text = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }

    private static bool HasUpper(string name)
    {
        foreach (var c in name)
        {
            if (char.IsUpper(c))
            {
                return true;
            }
        }

        return false;
    }
}
