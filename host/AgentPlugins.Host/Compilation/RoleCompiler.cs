using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;

namespace AgentPlugins.Host.Compilation;

/// <summary>
/// Compiles one role file (<c>.cs</c>, or <c>.csx</c> in script kind) with Roslyn into an in-memory
/// assembly with a portable PDB that embeds the source, so stack traces and breakpoints point into
/// the role file. Thread-safe; runs off the loop.
/// </summary>
internal sealed class RoleCompiler
{
    /// <summary>The usings every role gets without writing them, like an SDK project's implicit usings.</summary>
    public const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly CSharpParseOptions RegularOptions = new(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Regular);
    private static readonly CSharpParseOptions ScriptOptions = new(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Script);
    private static readonly SyntaxTree ImplicitUsingsTree = CSharpSyntaxTree.ParseText(
        SourceText.From(ImplicitUsings, Encoding.UTF8), RegularOptions, "<implicit-usings>.cs");

    private readonly ReferenceSet _references;
    private readonly CompilationCheck? _check;
    private long _counter;

    /// <param name="references">The assemblies roles compile against.</param>
    /// <param name="check">
    /// The checks run on every compile before emitting (the role rules, given by the composition); an
    /// error among them means nothing is emitted. Null compiles without them, the way a compiled plugin
    /// reaches the host: tests use it to exercise the safety nets that exist for code the rules never saw.
    /// </param>
    public RoleCompiler(ReferenceSet references, CompilationCheck? check = null)
    {
        _references = references;
        _check = check;
    }

    /// <summary>Identifies this compiler, its reference set and whether it checks the rules; part of the compile cache key.</summary>
    public string Fingerprint => $"{typeof(CSharpCompilation).Assembly.GetName().Version}/{_references.Fingerprint}/{(_check is null ? "no-rules" : "rules")}";

    /// <summary>Hashes role source the way the compile cache and the watcher do.</summary>

    /// <summary>Builds the Roslyn compilation of a role, without emitting it (validation looks at it too).</summary>
    public CSharpCompilation CreateCompilation(string path, string source)
    {
        var fullPath = Path.GetFullPath(path);
        var isScript = fullPath.EndsWith(".csx", StringComparison.OrdinalIgnoreCase);
        var text = SourceText.From(source, Encoding.UTF8);
        var tree = CSharpSyntaxTree.ParseText(text, isScript ? ScriptOptions : RegularOptions, fullPath);
        var name = $"role.{SafeName(fullPath)}.{Interlocked.Increment(ref _counter)}.{Guid.NewGuid():N}";
        var options = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            optimizationLevel: OptimizationLevel.Release,
            nullableContextOptions: NullableContextOptions.Enable,
            concurrentBuild: false,
            deterministic: false);

        // A script's usings must come first in its own file, so scripts get implicit usings as
        // script-level imports instead of a second syntax tree.
        if (isScript)
        {
            options = options.WithUsings("System", "System.Collections.Generic", "System.Linq", "System.Threading", "System.Threading.Tasks");
            return CSharpCompilation.CreateScriptCompilation(name, tree, _references.References, options);
        }

        return CSharpCompilation.Create(name, [ImplicitUsingsTree, tree], _references.References, options);
    }

    /// <summary>
    /// Compiles a role file, checks it with the role rules and emits it. A file with rule errors is not
    /// emitted, so the loader (and hot reload) refuse it exactly as <c>host validate</c> reports it.
    /// </summary>
    public CompiledRole Compile(RoleFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var compilation = CreateCompilation(file.Path, file.Text);
        return Emit(compilation, file, _check?.Invoke(compilation, cancellationToken) ?? [], cancellationToken);
    }

    /// <summary>Emits <paramref name="compilation"/>, adding <paramref name="extraDiagnostics"/> (role rules) to the compiler's own.</summary>
    public static CompiledRole Emit(
        CSharpCompilation compilation,
        RoleFile file,
        IReadOnlyList<RoleDiagnostic> extraDiagnostics,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var (fullPath, hash) = (file.Path, file.Hash);

        // A file that does not parse is shown by its syntax errors alone (see SyntaxErrors), and not emitted.
        if (SyntaxErrors.Of(compilation, cancellationToken) is { Count: > 0 } syntaxErrors)
        {
            return new CompiledRole(fullPath, hash, null, null, syntaxErrors);
        }

        using var pe = new MemoryStream();
        using var pdb = new MemoryStream();
        var tree = compilation.SyntaxTrees.Last();
        var result = compilation.Emit(
            pe,
            pdb,
            embeddedTexts: [EmbeddedText.FromSource(fullPath, tree.GetText(cancellationToken))],
            options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb),
            cancellationToken: cancellationToken);

        var diagnostics = result.Diagnostics
            .Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
            .Select(d => RoleDiagnostic.From(d, fullPath))
            .Concat(extraDiagnostics)
            .OrderBy(d => d.Line)
            .ThenBy(d => d.Column)
            .ToList();

        return result.Success && !extraDiagnostics.Any(d => d.IsError)
            ? new CompiledRole(fullPath, hash, pe.ToArray(), pdb.ToArray(), diagnostics)
            : new CompiledRole(fullPath, hash, null, null, diagnostics);
    }

    private static string SafeName(string path)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        return new string(stem.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
    }
}
