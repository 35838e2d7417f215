using System.CommandLine;
using AgentPlugins.Host.Authoring;
using AgentPlugins.Host.Configuration;

namespace AgentPlugins.Host.Commands;

/// <summary>
/// <c>host new role NAME</c>: writes <c>NAME.cs</c> into the roles folder from the template. Exit 0 when
/// written, 1 when the file exists (never overwritten) or cannot be written, 2 on a usage error.
/// </summary>
internal static class NewCommand
{
    public const int Created = 0;
    public const int Refused = 1;
    public const int UsageError = 2;

    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The role's name: a lowercase identifier (a-z, 0-9, _), e.g. weather" };
        var roles = new Option<string?>("--roles") { Description = "Roles folder to write to (default: roles:folder from plugins.json)" };
        var config = new Option<string?>("--config", "-c") { Description = "plugins.json to read the roles folder from (default: ./plugins.json if present)" };
        var role = new Command("role", "Write a new role file from the template; it validates clean and runs.") { name, roles, config };
        role.SetAction((result, _) => Task.FromResult(Run(result.GetValue(name)!, result.GetValue(roles), result.GetValue(config), Console.Out, Console.Error)));
        return new Command("new", "Create files from templates.") { role };
    }

    public static int Run(string name, string? rolesFolder, string? configPath, TextWriter output, TextWriter errors)
    {
        if (!RoleTemplate.IsValidName(name))
        {
            errors.WriteLine($"error: '{name}' is not a role name; use a lowercase identifier (a-z, 0-9, _; starting with a letter), e.g. weather or price_alerts.");
            return UsageError;
        }

        string folder;
        try
        {
            folder = rolesFolder is not null ? Path.GetFullPath(rolesFolder) : OptionsLoader.Load(configPath).Options.Roles.Folder;
        }
        catch (ConfigurationException ex)
        {
            errors.WriteLine($"error: {ex.Message}");
            return UsageError;
        }

        var path = Path.Combine(folder, name + ".cs");
        try
        {
            Directory.CreateDirectory(folder);

            // CreateNew refuses an existing file atomically, so a concurrent writer is never overwritten either.
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(file);
            writer.Write(RoleTemplate.Render(name));
        }
        catch (IOException) when (File.Exists(path))
        {
            errors.WriteLine($"error: {path} already exists; it was not changed. Pick another name or edit that file.");
            return Refused;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"error: cannot write {path}: {ex.Message}");
            return Refused;
        }

        output.WriteLine($"Created {path}");
        output.WriteLine($"Check it with: {HostCommand()} validate {path}");
        return Created;
    }

    /// <summary>
    /// How to run this host again from the current directory: <c>bin/host</c> after <c>make build</c>.
    /// That launcher is a script that starts <c>.host-r2r/host</c> (the ReadyToRun build, once made) or
    /// <c>.host/host</c> beside it, so the executable's path alone would name a file users never type.
    /// </summary>
    internal static string HostCommand()
    {
        if (Environment.ProcessPath is not { } executable)
        {
            return "bin/host";
        }

        var folder = Path.GetDirectoryName(executable)!;
        var launcher = Path.GetFileName(folder) is ".host" or ".host-r2r" ? Path.Combine(Path.GetDirectoryName(folder)!, Path.GetFileName(executable)) : null;
        var command = launcher is not null && File.Exists(launcher) ? launcher : executable;
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, command);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return command;
        }

        // A shell looks up a bare name on PATH, not in the current directory.
        return relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) ? relative : "./" + relative;
    }
}
