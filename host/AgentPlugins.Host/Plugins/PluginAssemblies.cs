using System.Reflection;
using System.Text.Json;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using McMaster.NETCore.Plugins;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Plugins;

/// <summary>
/// Loads one plugin build with McMaster's <see cref="PluginLoader"/>: a collectible context of its
/// own, the SDK (and what it references: Semantic Kernel, logging) shared with the host so
/// <see cref="IRole"/> is one type, everything else resolved from the plugin's own .deps.json and
/// output folder, its own versions first.
/// </summary>
internal static class PluginAssemblies
{
    private static readonly Type[] Shared = [typeof(IRole), typeof(KernelFunction)];

    /// <summary>Loads <paramref name="snapshot"/> off the loop; <paramref name="notes"/> says which of the host's assemblies it brings its own version of.</summary>
    public static PluginRoles Load(PluginSnapshot snapshot, IReadOnlyDictionary<string, string> settings, out IReadOnlyList<string> notes)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        CheckDependencyFile(snapshot);
        var loader = PluginLoader.CreateFromAssemblyFile(snapshot.MainAssembly, isUnloadable: true, sharedTypes: Shared);
        try
        {
            var assembly = loader.LoadDefaultAssembly();
            var roles = assembly.GetExportedTypes()
                .Where(type => typeof(IRole).IsAssignableFrom(type) && type is { IsAbstract: false, IsInterface: false })
                .OrderBy(type => type.FullName, StringComparer.Ordinal)
                .ToList();
            notes = OwnVersions(snapshot, assembly);
            var image = File.ReadAllBytes(snapshot.MainAssembly);

            // The loader itself is let go: the generations hold the context, and unloading it is theirs.
            return new PluginRoles(snapshot.Plugin, snapshot.Hash, loader.LoadContext, roles, settings, image);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileNotFoundException or FileLoadException or ReflectionTypeLoadException or TypeLoadException or IOException)
        {
            loader.Dispose();
            var cause = ex is ReflectionTypeLoadException { LoaderExceptions: [{ } first, ..] } ? first! : ex;
            throw new PluginLoadException($"{snapshot.Plugin}: cannot be loaded: {cause.GetType().Name}: {cause.Message}", ex);
        }
    }

    // A .deps.json without a runtime target ("{}", say) takes the whole process down inside the
    // runtime's native dependency resolution (std::logic_error, measured here on .NET 10): refused first.
    private static void CheckDependencyFile(PluginSnapshot snapshot)
    {
        var deps = Path.ChangeExtension(snapshot.MainAssembly, ".deps.json");
        if (!File.Exists(deps))
        {
            return;
        }

        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(deps));
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("runtimeTarget", out var target)
                && target.ValueKind == JsonValueKind.Object
                && target.TryGetProperty("name", out var name)
                && name.ValueKind == JsonValueKind.String
                && json.RootElement.TryGetProperty("targets", out var targets)
                && targets.ValueKind == JsonValueKind.Object)
            {
                return;
            }
        }
        catch (JsonException ex)
        {
            throw new PluginLoadException($"{snapshot.Plugin}: {Path.GetFileName(deps)} is not valid JSON ({ex.Message}); rebuild the plugin.", ex);
        }

        throw new PluginLoadException($"{snapshot.Plugin}: {Path.GetFileName(deps)} is not a build's dependency file (it needs runtimeTarget.name and targets); rebuild the plugin.");
    }

    // The plugin's references the host also ships, in another version: the plugin gets its own, and says so.
    private static List<string> OwnVersions(PluginSnapshot snapshot, Assembly assembly)
    {
        var folder = Path.GetDirectoryName(snapshot.MainAssembly)!;
        var notes = new List<string>();
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            var own = Path.Combine(folder, $"{reference.Name}.dll");
            var host = Path.Combine(AppContext.BaseDirectory, $"{reference.Name}.dll");
            if (File.Exists(own) && File.Exists(host))
            {
                var ownVersion = AssemblyName.GetAssemblyName(own).Version;
                var hostVersion = AssemblyName.GetAssemblyName(host).Version;
                if (ownVersion != hostVersion)
                {
                    notes.Add($"{snapshot.Plugin} uses its own {reference.Name} {ownVersion} (the host has {hostVersion}).");
                }
            }
        }

        return notes;
    }
}
