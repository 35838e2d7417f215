using System.IO.Hashing;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Compilation;

/// <summary>
/// The assemblies a role compiles against: the .NET framework, the SDK and Semantic Kernel's
/// abstractions. Built once per process (creating ~200 metadata references costs ~50 ms and
/// native memory each time), and shared by every compile. The references themselves are made on
/// the first compile: a host whose roles all come from the compile cache needs only the
/// fingerprint, read from the files' sizes and times, and never maps them.
/// </summary>
internal sealed class ReferenceSet
{
    // Besides the framework, a role sees exactly these: the contract and what its signatures need.
    private static readonly string[] SharedAssemblies =
    [
        "AgentPlugins.Sdk",
        "Microsoft.SemanticKernel.Abstractions",
        "Microsoft.Extensions.AI.Abstractions",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
    ];

    private static readonly Lazy<ReferenceSet> Shared = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly IReadOnlyList<string> _paths;
    private readonly Lock _making = new();

    // Only the getter below names Roslyn's types: constructing the set must not load Roslyn.
    private IReadOnlyList<MetadataReference>? _references;

    private ReferenceSet(IReadOnlyList<string> paths, string fingerprint)
    {
        _paths = paths;
        Fingerprint = fingerprint;
    }

    /// <summary>The process-wide set.</summary>
    public static ReferenceSet Default => Shared.Value;

    public IReadOnlyList<MetadataReference> References
    {
        get
        {
            if (Volatile.Read(ref _references) is { } made)
            {
                return made;
            }

            lock (_making)
            {
                return _references ??= [.. _paths.Select(path => MetadataReference.CreateFromFile(path))];
            }
        }
    }

    /// <summary>Changes whenever an assembly in the set changes; part of the compile cache key.</summary>
    public string Fingerprint { get; }

    private static ReferenceSet Build()
    {
        var frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var paths = trusted
            .Where(path => IsFramework(path, frameworkDirectory) || SharedAssemblies.Contains(Path.GetFileNameWithoutExtension(path), StringComparer.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

        foreach (var name in SharedAssemblies)
        {
            if (!paths.Any(path => Path.GetFileNameWithoutExtension(path) == name))
            {
                var location = Assembly.Load(name).Location;
                if (!string.IsNullOrEmpty(location))
                {
                    paths.Add(location);
                }
            }
        }

        var fingerprint = new StringBuilder();
        foreach (var path in paths)
        {
            var info = new FileInfo(path);
            fingerprint.Append(info.Name).Append(':').Append(info.Length).Append(':').Append(info.LastWriteTimeUtc.Ticks).Append(';');
        }

        var hash = Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(fingerprint.ToString())));
        return new ReferenceSet(paths, hash);
    }

    private static bool IsFramework(string path, string frameworkDirectory) =>
        string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.Ordinal)
        && (Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal)
            || Path.GetFileName(path) is "System.dll" or "mscorlib.dll" or "netstandard.dll" or "Microsoft.Win32.Primitives.dll" or "Microsoft.CSharp.dll");
}
