using System.Security.Cryptography;
using System.Text;

namespace AgentPlugins.Host.Plugins;

/// <summary>
/// One build of a plugin, copied aside: the next <c>dotnet build</c> may overwrite the output while
/// this copy is loaded, and the hash of every file says whether the build changed at all.
/// </summary>
/// <param name="Plugin">The plugin as configured (its assembly or output folder).</param>
/// <param name="MainAssembly">The plugin assembly inside the copy.</param>
/// <param name="Hash">SHA-256 over every file of the output (name and content), lower-case hex.</param>
internal sealed record PluginSnapshot(string Plugin, string MainAssembly, string Hash)
{
    /// <summary>The plugin assembly of <paramref name="plugin"/>: itself, or the one <c>NAME.dll</c> beside a <c>NAME.deps.json</c> in the folder.</summary>
    public static string MainAssemblyOf(string plugin)
    {
        if (File.Exists(plugin))
        {
            return plugin;
        }

        if (!Directory.Exists(plugin))
        {
            throw new PluginLoadException($"{plugin} does not exist; build the plugin (`dotnet build`) or remove it from plugins.json.");
        }

        var candidates = Directory.GetFiles(plugin, "*.deps.json")
            .Select(deps => deps[..^".deps.json".Length] + ".dll")
            .Where(File.Exists)
            .ToList();
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new PluginLoadException($"{plugin} holds no built plugin (no NAME.dll beside a NAME.deps.json); point the plugin's path at the build output or the assembly."),
            _ => throw new PluginLoadException($"{plugin} holds several built assemblies ({string.Join(", ", candidates.Select(Path.GetFileName))}); point the plugin's path at the one that is the plugin."),
        };
    }

    /// <summary>Hashes the output of <paramref name="plugin"/> and copies it under <paramref name="copies"/> (once per distinct build).</summary>
    public static PluginSnapshot Take(string plugin, string copies)
    {
        var main = MainAssemblyOf(plugin);
        var folder = Path.GetDirectoryName(main)!;
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f))
            .Order(StringComparer.Ordinal)
            .ToList();
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, file));
            contents[file] = bytes;
            hash.AppendData(Encoding.UTF8.GetBytes(file));
            hash.AppendData(bytes);
        }

        var digest = Convert.ToHexStringLower(hash.GetHashAndReset());
        var copy = Path.Combine(copies, $"{Path.GetFileNameWithoutExtension(main)}-{digest[..16]}");
        if (!Directory.Exists(copy))
        {
            // Written aside, then renamed: a copy that exists is whole.
            var partial = $"{copy}.{Environment.ProcessId}.partial";
            foreach (var (file, bytes) in contents)
            {
                var target = Path.Combine(partial, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllBytes(target, bytes);
            }

            Directory.Move(partial, copy);
        }

        return new PluginSnapshot(plugin, Path.Combine(copy, Path.GetFileName(main)), digest);
    }
}
