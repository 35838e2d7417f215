using System.Diagnostics;
using System.Runtime.ExceptionServices;
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
internal sealed class RoleCompiler : IRoleCompiler
{
    /// <summary>
    /// The namespaces every role gets without writing them: a .NET console project's implicit usings
    /// (docs/roles.md lists them).
    /// </summary>
    public static readonly IReadOnlyList<string> ImplicitNamespaces =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks",
    ];

    /// <summary>The usings every role gets without writing them, as a file of global usings.</summary>
    public static readonly string ImplicitUsings = string.Concat(ImplicitNamespaces.Select(n => $"global using {n};\n"));

    private static readonly CSharpParseOptions RegularOptions = new(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Regular);
    private static readonly CSharpParseOptions ScriptOptions = new(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Script);
    private static readonly Dictionary<string, ReportDiagnostic> UnificationWarnings = new()
    {
        ["CS1701"] = ReportDiagnostic.Suppress,
        ["CS1702"] = ReportDiagnostic.Suppress,
    };

    private static readonly SyntaxTree ImplicitUsingsTree = CSharpSyntaxTree.ParseText(
        SourceText.From(ImplicitUsings, Encoding.UTF8), RegularOptions, "<implicit-usings>.cs");

    private readonly ReferenceSet _references;
    private readonly CompilationCheck? _check;
    private long _counter;

    // Roslyn keeps the symbols it decodes from the ~200 referenced assemblies only weakly, shared
    // through each reference's metadata; once no compilation holds them, a garbage collection (the
    // unload verifier forces several per reload) throws them away and the next compile decodes them
    // all again, which made rules and emit several times slower than in a warm process. Holding the
    // latest compilation keeps them for the next one.
    private CSharpCompilation? _latest;

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
    public string Fingerprint => $"{RoslynVersion.Value}/{_references.Fingerprint}/{(_check is null ? "no-rules" : "rules")}";

    /// <summary>Hashes role source the way the compile cache and the watcher do.</summary>

    /// <summary>The latest compilation built, kept so its reference symbols serve the next one.</summary>
    internal CSharpCompilation? Latest => Volatile.Read(ref _latest);

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
            deterministic: false,
            // As in every .NET build (MSBuild's default NoWarn): the host's references may be newer
            // minor versions than those a library was built against; binding unifies them.
            specificDiagnosticOptions: UnificationWarnings);

        // A script's usings must come first in its own file, so scripts get implicit usings as
        // script-level imports instead of a second syntax tree.
        var compilation = isScript
            ? CSharpCompilation.CreateScriptCompilation(name, tree, _references.References, options.WithUsings(ImplicitNamespaces))
            : CSharpCompilation.Create(name, [ImplicitUsingsTree, tree], _references.References, options);
        Volatile.Write(ref _latest, compilation);
        return compilation;
    }

    /// <summary>
    /// Compiles a role file, checks it with the role rules and emits it. A file with rule errors is not
    /// emitted, so the loader (and hot reload) refuse it exactly as <c>host validate</c> reports it.
    /// </summary>
    public CompiledRole Compile(RoleFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var started = Stopwatch.GetTimestamp();
        var compilation = CreateCompilation(file.Path, file.Text);
        var parsed = Stopwatch.GetTimestamp();

        // A file that does not parse is shown by its syntax errors alone (see SyntaxErrors): no rules, no emit.
        if (SyntaxErrors.Of(compilation, cancellationToken) is { Count: > 0 } syntaxErrors)
        {
            return new CompiledRole(file.Path, file.Hash, null, null, syntaxErrors) { Timings = new CompileTimings(started, parsed, parsed, Stopwatch.GetTimestamp()) };
        }

        if (_check is not { } check)
        {
            var plain = Emit(compilation, file, [], cancellationToken);
            return plain with { Timings = new CompileTimings(started, parsed, parsed, Stopwatch.GetTimestamp()) };
        }

        // The checks and the emit only read the compilation, so they run side by side: a save is live
        // after the longer of the two rather than their sum. A file the rules refuse wastes its emit, no more.
        IReadOnlyList<RoleDiagnostic> found = [];
        Image? image = null;
        long checkedAt = 0, emittedAt = 0;
        try
        {
            Parallel.Invoke(
                new ParallelOptions { CancellationToken = cancellationToken },
                () =>
                {
                    found = check(compilation, cancellationToken);
                    checkedAt = Stopwatch.GetTimestamp();
                },
                () =>
                {
                    image = EmitImage(compilation, file.Path, cancellationToken);
                    emittedAt = Stopwatch.GetTimestamp();
                });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }

        return Combine(file.Path, file.Hash, image!, found) with { Timings = new CompileTimings(started, parsed, checkedAt, emittedAt) };
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

        return Combine(fullPath, hash, EmitImage(compilation, fullPath, cancellationToken), extraDiagnostics);
    }

    private static Image EmitImage(CSharpCompilation compilation, string fullPath, CancellationToken cancellationToken)
    {
        using var pe = new MemoryStream();
        using var pdb = new MemoryStream();
        var tree = compilation.SyntaxTrees.Last();
        var result = compilation.Emit(
            pe,
            pdb,
            embeddedTexts: [EmbeddedText.FromSource(fullPath, tree.GetText(cancellationToken))],
            options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb),
            cancellationToken: cancellationToken);
        return new Image(result, pe.ToArray(), pdb.ToArray());
    }

    private static CompiledRole Combine(string fullPath, string hash, Image image, IReadOnlyList<RoleDiagnostic> extraDiagnostics)
    {
        var result = image.Result;
        var diagnostics = result.Diagnostics
            .Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
            .Select(d => RoleDiagnostic.From(d, fullPath))
            .Concat(extraDiagnostics)
            .OrderBy(d => d.Line)
            .ThenBy(d => d.Column)
            .ToList();

        return result.Success && !extraDiagnostics.Any(d => d.IsError)
            ? new CompiledRole(fullPath, hash, image.Pe, image.Pdb, diagnostics)
            : new CompiledRole(fullPath, hash, null, null, diagnostics);
    }

    private sealed record Image(EmitResult Result, byte[] Pe, byte[] Pdb);

    private static string SafeName(string path)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        return new string(stem.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
    }
}
