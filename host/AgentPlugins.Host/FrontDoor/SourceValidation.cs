using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Validation;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>
/// A role's source text checked as <c>host validate</c> checks a file: written to a private temporary
/// folder (never the roles folder), validated off the loop, reported as <c>--format json</c> prints it
/// against the given file name. Shared by <c>POST /api/validate</c> and MCP's <c>validate_role</c>.
/// </summary>
internal static class SourceValidation
{
    /// <summary>Null when <paramref name="name"/> is a role file name; otherwise what is wrong with it.</summary>
    public static string? CheckName(string name) =>
        name.Length > 200 || Path.GetFileName(name) != name || name.StartsWith('.') || !(name.EndsWith(".cs", StringComparison.Ordinal) || name.EndsWith(".csx", StringComparison.Ordinal))
            ? $"'{name}' must be a role file name such as \"weather.cs\" or \"weather.csx\", without folders."
            : null;

    /// <summary>The JSON report of <c>host validate --format json</c> for <paramref name="source"/> as the file <paramref name="name"/>.</summary>
    public static async Task<string> JsonAsync(RoleCompiler compiler, string source, string name, bool strict, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Path.GetTempPath(), "agentplugins-validate", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var file = Path.Combine(folder, name);
            await File.WriteAllTextAsync(file, source, cancellationToken).ConfigureAwait(false);
            var result = await Task.Run(() => new RoleValidator(compiler).Validate([file], strict, cancellationToken), cancellationToken).ConfigureAwait(false);
            var renamed = new ValidationResult([.. result.Files.Select(f => new FileValidation(name, [.. f.Diagnostics.Select(d => d with { Path = d.Path == file ? name : d.Path })]))]);
            using var json = new StringWriter();
            JsonReport.Write(renamed, json);
            return json.ToString();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
