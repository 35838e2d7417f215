using System.CommandLine;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Plugins;
using AgentPlugins.Host.Validation;

namespace AgentPlugins.Host.Commands;

/// <summary>
/// <c>host validate [PATH...]</c>: compiles and checks role files exactly as the host loads them, and
/// plugin projects (a folder holding one .csproj, or the .csproj) by their sources and their build.
/// Exit 0 with no errors, 1 with errors, 2 on a usage error.
/// </summary>
internal static class ValidateCommand
{
    public const int Valid = 0;
    public const int Invalid = 1;
    public const int UsageError = 2;

    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = "Role files, roles folders or plugin projects (a folder with one .csproj, or the .csproj) to check (default: the roles folder from plugins.json)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var format = new Option<ReportFormat>("--format") { Description = "Output: text (compiler format, one line per diagnostic) or json" };
        var strict = new Option<bool>("--strict") { Description = "Treat warnings as errors" };
        var config = new Option<string?>("--config", "-c") { Description = "plugins.json to read the roles folder from (default: ./plugins.json if present)" };
        var command = new Command("validate", "Check role files and plugin projects the way the host loads them: compile, then the role rules (docs/rules.md, docs/plugins.md).")
        {
            paths, format, strict, config,
        };
        command.SetAction((result, cancellationToken) => Task.FromResult(Run(
            new ValidateRequest(result.GetValue(paths) ?? [], result.GetValue(format), result.GetValue(strict), result.GetValue(config)),
            Console.Out,
            Console.Error,
            cancellationToken)));
        return command;
    }

    /// <summary>Runs validate; what the process would print goes to <paramref name="output"/> and <paramref name="errors"/>.</summary>
    public static int Run(ValidateRequest request, TextWriter output, TextWriter errors, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> paths = request.Paths;
        if (paths.Count == 0)
        {
            try
            {
                var (options, _) = OptionsLoader.Load(request.ConfigPath);
                if (!Directory.Exists(options.Roles.Folder))
                {
                    errors.WriteLine($"error: the roles folder '{options.Roles.Folder}' does not exist; name files or folders to check, or set roles:folder in plugins.json.");
                    return UsageError;
                }

                paths = [options.Roles.Folder];
            }
            catch (ConfigurationException ex)
            {
                errors.WriteLine($"error: {ex.Message}");
                return UsageError;
            }
        }

        if (request.Paths.Count == 0 && RoleFileReader.FindRoleFiles(Path.GetFullPath(paths[0])).Count == 0)
        {
            errors.WriteLine($"No role files (*.cs, *.csx) in {paths[0]}.");
            return Valid;
        }

        if (!ValidationTargets.TryResolve(paths, out var files, out var projects, out var problem))
        {
            errors.WriteLine($"error: {problem}");
            return UsageError;
        }

        // Every project is evaluated before anything is printed: a project that cannot be read is a usage error, and nothing else is reported.
        var reports = new List<PluginProjectReport>();
        foreach (var project in projects)
        {
            try
            {
                reports.Add(PluginProjectValidator.Validate(project, request.Strict, cancellationToken));
            }
            catch (PluginProjectException ex)
            {
                errors.WriteLine($"error: {ex.Message}");
                return UsageError;
            }
        }

        var roles = files.Count == 0 ? new ValidationResult([]) : new RoleValidator(new RoleCompiler(ReferenceSet.Default)).Validate(files, request.Strict, cancellationToken);
        var result = new ValidationResult([.. roles.Files, .. reports.SelectMany(r => r.Result.Files)]);
        if (request.Format == ReportFormat.Json)
        {
            JsonReport.Write(result, output);
        }
        else
        {
            TextReport.Write(result, output);
            if (files.Count > 0)
            {
                errors.WriteLine($"Checked {files.Count} role file(s): {roles.Errors} error(s), {roles.Warnings} warning(s).");
            }

            foreach (var report in reports)
            {
                foreach (var note in report.Notes)
                {
                    errors.WriteLine($"note: {note}");
                }

                var build = report.Build is null ? "no build" : $"its build {report.Build}";
                errors.WriteLine($"Checked plugin project {report.Project.ProjectPath} ({report.Result.Files.Count(f => report.Project.Sources.Contains(f.Path))} source file(s) and {build}): {report.Result.Errors} error(s), {report.Result.Warnings} warning(s).");
            }
        }

        return result.ExitCode;
    }
}

