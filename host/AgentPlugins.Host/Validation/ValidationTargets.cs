using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Host.Validation;

/// <summary>
/// Turns the PATH arguments of <c>host validate</c> into role files and plugin projects, or says which
/// argument is wrong. A folder holding one <c>*.csproj</c> is that plugin project; any other folder is
/// a roles folder.
/// </summary>
internal static class ValidationTargets
{
    private const string ProjectPattern = "*.csproj";

    /// <summary>
    /// Role files (full paths, in argument order, folders expanded in name order) and plugin projects
    /// (full .csproj paths); <paramref name="error"/> names a path that is neither.
    /// </summary>
    public static bool TryResolve(IEnumerable<string> paths, out IReadOnlyList<string> files, out IReadOnlyList<string> projects, out string error)
    {
        var found = new List<string>();
        var foundProjects = new List<string>();
        files = [];
        projects = [];
        foreach (var path in paths)
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                var inFolder = Directory.GetFiles(full, ProjectPattern).Order(StringComparer.Ordinal).ToList();
                if (inFolder.Count > 1)
                {
                    error = $"'{path}' holds {inFolder.Count} projects ({string.Join(", ", inFolder.Select(Path.GetFileName))}); name the plugin's .csproj to check.";
                    return false;
                }

                if (inFolder.Count == 1)
                {
                    foundProjects.Add(inFolder[0]);
                    continue;
                }

                var roleFiles = RoleFileReader.FindRoleFiles(full);
                if (roleFiles.Count == 0)
                {
                    error = $"'{path}' holds no plugin project (*.csproj) and no role files (*.cs, *.csx).";
                    return false;
                }

                found.AddRange(roleFiles);
            }
            else if (File.Exists(full))
            {
                if (full.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase))
                {
                    foundProjects.Add(full);
                    continue;
                }

                if (!RoleFileReader.Patterns.Any(pattern => full.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase)))
                {
                    error = $"'{path}' is not a role file or a plugin project; role files end in .cs or .csx, plugin projects in .csproj.";
                    return false;
                }

                found.Add(full);
            }
            else
            {
                error = $"'{path}' does not exist.";
                return false;
            }
        }

        files = [.. found.Distinct(StringComparer.Ordinal)];
        projects = [.. foundProjects.Distinct(StringComparer.Ordinal)];
        error = string.Empty;
        return true;
    }
}
