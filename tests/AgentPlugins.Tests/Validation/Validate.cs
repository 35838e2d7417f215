using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Validation;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Validation;

/// <summary>Runs the validator in-process, the way <c>host validate</c> does, on fixture folders and on role text.</summary>
internal static class Validate
{
    public static string BadFolder => Repository.Fixture(Path.Combine("roles", "bad"));

    public static string GoodFolder => Repository.Fixture(Path.Combine("roles", "good"));

    public static string BadFixture(string fileName) => Path.Combine(BadFolder, fileName);

    public static ValidationResult Files(IEnumerable<string> files, bool strict = false) =>
        new RoleValidator(new RoleCompiler(ReferenceSet.Default)).Validate([.. files.Select(Path.GetFullPath)], strict);

    public static ValidationResult Folder(string folder, bool strict = false) =>
        Files(Host.Compilation.RoleFileReader.FindRoleFiles(folder), strict);

    /// <summary>Validates <paramref name="source"/> as the only role file of a fresh folder.</summary>
    public static IReadOnlyList<RoleDiagnostic> Source(string source, string fileName = "role.cs")
    {
        using var folder = new TempFolder();
        return Files([folder.Write(fileName, source)]).Diagnostics.ToList();
    }
}
