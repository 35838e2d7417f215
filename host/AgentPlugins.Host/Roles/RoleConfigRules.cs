using System.Text.RegularExpressions;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Roles;

/// <summary>What a complete <see cref="RoleConfig"/> looks like.</summary>
internal static partial class RoleConfigRules
{
    /// <summary>The problems with <paramref name="config"/>, empty when it is complete.</summary>
    public static IReadOnlyList<string> Check(RoleConfig? config)
    {
        if (config is null)
        {
            return ["Config is null; give the role a RoleConfig."];
        }

        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(config.Name) || !NamePattern().IsMatch(config.Name))
        {
            problems.Add($"Config.Name '{config.Name}' must be a lowercase identifier (a-z, 0-9, _; starting with a letter), e.g. \"timer\".");
        }

        if (string.IsNullOrWhiteSpace(config.Version) || !SemVerPattern().IsMatch(config.Version))
        {
            problems.Add($"Config.Version '{config.Version}' must be a semantic version, e.g. \"1.0.0\".");
        }

        if (string.IsNullOrWhiteSpace(config.Description))
        {
            problems.Add("Config.Description is empty; say in one line what the role does.");
        }

        if (string.IsNullOrWhiteSpace(config.WhenToUse))
        {
            problems.Add("Config.WhenToUse is empty; tell the router when to pick this role.");
        }

        if (!Enum.IsDefined(config.Llm))
        {
            problems.Add($"Config.Llm '{config.Llm}' is not a tier; use LlmTier.Weak, Default or Strong.");
        }

        return problems;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    public static partial Regex NamePattern();

    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")]
    public static partial Regex SemVerPattern();
}
