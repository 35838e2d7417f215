using System.Reflection;

namespace RoleTests;

/// <summary>The role files under test, in the folder RoleTests.csproj names (RolesFolder).</summary>
internal static class RoleFiles
{
    private static readonly string Folder = typeof(RoleFiles).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RolesFolder").Value!;

    public static string Path(string fileName) => System.IO.Path.Combine(Folder, fileName);
}
