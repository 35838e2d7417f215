using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Validation;

namespace AgentPlugins.Host.Commands;

/// <summary>
/// Finds the role file a command names: a path (<c>roles/timer.cs</c>) as it is, or a role name
/// (<c>timer</c>) in the roles folder of plugins.json: <c>NAME.cs</c> or <c>NAME.csx</c> when its
/// Config names it so, else the file whose Config does (read from the source, nothing is run).
/// </summary>
internal static class RoleFileLookup
{
    public static bool TryFind(string roleOrFile, string? configPath, out string path, out string error)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(roleOrFile);
        path = string.Empty;
        if (RoleFileReader.IsRoleFile(roleOrFile) || roleOrFile.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || File.Exists(roleOrFile))
        {
            path = Path.GetFullPath(roleOrFile);
            error = string.Empty;
            return true;
        }

        string folder;
        try
        {
            folder = OptionsLoader.Load(configPath).Options.Roles.Folder;
        }
        catch (ConfigurationException ex)
        {
            error = ex.Message;
            return false;
        }

        if (!Directory.Exists(folder))
        {
            error = $"'{roleOrFile}' is not a file, and the roles folder '{folder}' to find it in does not exist; give the role file's path, or set roles:folder in plugins.json.";
            return false;
        }

        var files = RoleFileReader.FindRoleFiles(folder);
        var named = files.Select(file => (File: file, Name: NameOf(file))).ToList();

        // The file named after the role is the usual place; a name is checked against its Config all the same.
        var match = named.Where(f => f.Name == roleOrFile)
            .OrderBy(f => Path.GetFileNameWithoutExtension(f.File) == roleOrFile ? 0 : 1)
            .Select(f => f.File)
            .FirstOrDefault();
        if (match is null)
        {
            var known = named.Where(f => f.Name is not null).Select(f => f.Name!).Order(StringComparer.Ordinal).ToList();
            error = $"No role named '{roleOrFile}' in {folder} (roles there: {(known.Count == 0 ? "none" : string.Join(", ", known))}); give a role name or a file path.";
            return false;
        }

        path = match;
        error = string.Empty;
        return true;
    }

    /// <summary>The role name the file's Config gives, read from its source (nothing is run); null when it has none.</summary>
    public static string? NameOf(string file)
    {
        var read = RoleFileReader.ReadAsync(file, Path.GetDirectoryName(file), CancellationToken.None).GetAwaiter().GetResult();
        return read.File is { } role
            ? RoleFacts.Of(RoleSource.Of(new RoleCompiler(ReferenceSet.Default).CreateCompilation(role.Path, role.Text), RoleRules.Triggers, CancellationToken.None)).Name
            : null;
    }
}
