using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis.CSharp;

namespace AgentPlugins.Host.Compilation;

/// <summary>
/// Roslyn's version, part of the compile cache key. Read from the assembly's file, so that a host
/// whose roles all come from the compile cache never loads Roslyn (about 25 MB once it is mapped and jitted).
/// </summary>
internal static class RoslynVersion
{
    private static string? _value;

    public static string Value => _value ??= Read();

    private static string Read()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Microsoft.CodeAnalysis.CSharp.dll");
        return File.Exists(file) ? AssemblyName.GetAssemblyName(file).Version?.ToString() ?? "unversioned" : Loaded();
    }

    // Separate and never inlined: naming Roslyn's type is what loads it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Loaded() => typeof(CSharpCompilation).Assembly.GetName().Version?.ToString() ?? "unversioned";
}
