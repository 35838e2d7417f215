using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Bench.Validation;

/// <summary>
/// Writes N variants of the sample roles into a folder: each with its own role name and its own type
/// names, so the files are distinct roles and can also live together in one C# project.
/// </summary>
internal static partial class RoleVariants
{
    /// <summary>Variants of every sample role in <paramref name="samplesFolder"/>, taken in turn.</summary>
    public static IReadOnlyList<string> Write(string samplesFolder, string folder, int count) =>
        Write(Directory.GetFiles(samplesFolder, "*.cs").Order(StringComparer.Ordinal).ToList(), folder, count);

    /// <summary>Variants of the role files <paramref name="samplePaths"/>, taken in turn.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<string> samplePaths, string folder, int count)
    {
        Directory.CreateDirectory(folder);
        var samples = samplePaths.Select(File.ReadAllText).ToList();
        var files = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var suffix = (i + 1).ToString("D3", CultureInfo.InvariantCulture);
            var source = samples[i % samples.Count];
            foreach (var type in DeclaredTypes(source))
            {
                source = Regex.Replace(source, $@"\b{type}\b", type + "_" + suffix);
            }

            source = RoleName().Replace(source, match => $"Name: \"{match.Groups[1].Value}_{suffix}\"");
            var path = Path.Combine(folder, $"role_{suffix}.cs");
            File.WriteAllText(path, source);
            files.Add(path);
        }

        return files;
    }

    private static IEnumerable<string> DeclaredTypes(string source) =>
        CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes().OfType<BaseTypeDeclarationSyntax>()
            .Select(t => t.Identifier.ValueText)
            .Distinct(StringComparer.Ordinal);

    [GeneratedRegex("""\bName:\s*"([a-z][a-z0-9_]*)"(?=\s*,)""")]
    private static partial Regex RoleName();
}
