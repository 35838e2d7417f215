using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Host.Validation;

/// <summary>Turns the PATH arguments of <c>host validate</c> into role files, or says which argument is wrong.</summary>
internal static class ValidationTargets
{
    /// <summary>Role files (full paths, in argument order, folders expanded in name order); <paramref name="error"/> names a path that is neither.</summary>
    public static bool TryResolve(IEnumerable<string> paths, out IReadOnlyList<string> files, out string error)
    {
        var found = new List<string>();
        foreach (var path in paths)
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                found.AddRange(RoleFileReader.FindRoleFiles(full));
            }
            else if (File.Exists(full))
            {
                if (!RoleFileReader.Patterns.Any(pattern => full.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase)))
                {
                    files = [];
                    error = $"'{path}' is not a role file; role files end in .cs or .csx.";
                    return false;
                }

                found.Add(full);
            }
            else
            {
                files = [];
                error = $"'{path}' does not exist.";
                return false;
            }
        }

        files = [.. found.Distinct(StringComparer.Ordinal)];
        error = string.Empty;
        return true;
    }
}
