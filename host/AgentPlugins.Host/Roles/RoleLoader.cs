using System.Diagnostics;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Loop;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// Takes a role file from disk into service: read and compile off the loop (through the compile
/// cache), then load, instantiate and activate on the loop, where role code runs. A file that fails
/// at any step is reported with path, line and column; whatever already serves goes on serving.
/// </summary>
internal sealed class RoleLoader
{
    /// <summary>The file patterns a roles folder is searched for.</summary>
    public static readonly string[] Patterns = ["*.cs", "*.csx"];

    private readonly CompileCache _compiler;
    private readonly RoleInstantiator _instantiator;
    private readonly RoleRegistry _registry;
    private readonly EventLoop _loop;
    private readonly ILogger _log;

    public RoleLoader(CompileCache compiler, RoleInstantiator instantiator, RoleRegistry registry, EventLoop loop, LoadActivity activity, ILogger<RoleLoader> log)
    {
        Activity = activity;
        _compiler = compiler;
        _instantiator = instantiator;
        _registry = registry;
        _loop = loop;
        _log = log;
    }

    /// <summary>Whether a load is running now.</summary>
    public LoadActivity Activity { get; }

    /// <summary>
    /// True for a path the loader takes: <c>.cs</c> or <c>.csx</c>, not hidden. Editors keep their
    /// temporary and lock files hidden (<c>.#role.cs</c>, <c>.role.cs.swp</c>); they are never roles.
    /// </summary>
    public static bool IsRoleFile(string path) =>
        !Path.GetFileName(path).StartsWith('.')
        && (path.EndsWith(".cs", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".csx", StringComparison.OrdinalIgnoreCase));

    /// <summary>The role files of <paramref name="folder"/>, in name order.</summary>
    public static IReadOnlyList<string> FindRoleFiles(string folder) =>
        [.. Patterns.SelectMany(pattern => Directory.EnumerateFiles(folder, pattern, SearchOption.TopDirectoryOnly))
            .Where(IsRoleFile)
            .Select(Path.GetFullPath)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    /// <summary>Loads every role file in <paramref name="folder"/>; returns the diagnostics of those that failed.</summary>
    public async Task<IReadOnlyList<RoleDiagnostic>> LoadFolderAsync(string folder, CancellationToken cancellationToken = default)
    {
        using var busy = Activity.Enter();
        var files = FindRoleFiles(folder);
        var compiled = new CompiledRole[files.Count];

        // Compiling is the slow part; it runs off the loop, one file per core.
        await Parallel.ForEachAsync(
            Enumerable.Range(0, files.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (index, token) => compiled[index] = await ReadAndCompileAsync(files[index], token).ConfigureAwait(false)).ConfigureAwait(false);

        return await _loop.InvokeAsync(
            () => Task.FromResult<IReadOnlyList<RoleDiagnostic>>([.. compiled.SelectMany(Activate)]),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads or reloads one role file; returns its errors (empty when it is in service).</summary>
    public async Task<IReadOnlyList<RoleDiagnostic>> LoadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        using var busy = Activity.Enter();
        var compiled = await ReadAndCompileAsync(Path.GetFullPath(path), cancellationToken).ConfigureAwait(false);
        return await ActivateAsync(compiled, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads or reloads a role file from <paramref name="source"/>, already read; returns its errors.</summary>
    public async Task<IReadOnlyList<RoleDiagnostic>> LoadSourceAsync(string path, string source, CancellationToken cancellationToken = default)
    {
        using var busy = Activity.Enter();
        var started = Stopwatch.GetTimestamp();
        var compiled = await Task.Run(() => Compile(Path.GetFullPath(path), source, cancellationToken), cancellationToken).ConfigureAwait(false);
        var compiledAt = Stopwatch.GetTimestamp();
        var errors = await ActivateAsync(compiled, cancellationToken).ConfigureAwait(false);
        _log.LogDebug(
            "{Path}: compiled in {Compile:F1} ms, swapped in {Swap:F1} ms.",
            path,
            Stopwatch.GetElapsedTime(started, compiledAt).TotalMilliseconds,
            Stopwatch.GetElapsedTime(compiledAt).TotalMilliseconds);
        return errors;
    }

    /// <summary>Takes the role of a deleted file out of service.</summary>
    public Task RetireAsync(string path, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(() => _registry.Retire(Path.GetFullPath(path)), cancellationToken);

    private Task<IReadOnlyList<RoleDiagnostic>> ActivateAsync(CompiledRole compiled, CancellationToken cancellationToken) =>
        _loop.InvokeAsync(() => Task.FromResult(Activate(compiled)), cancellationToken);

    // Off the loop: read and compile.
    private async Task<CompiledRole> ReadAndCompileAsync(string path, CancellationToken cancellationToken)
    {
        string source;
        try
        {
            source = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new CompiledRole(path, string.Empty, null, null, [RoleDiagnostic.Error(path, LoadCodes.Unreadable, $"Cannot read the role file: {ex.Message}")]);
        }

        return Compile(path, source, cancellationToken);
    }

    private CompiledRole Compile(string path, string source, CancellationToken cancellationToken)
    {
        var compiled = _compiler.Compile(path, source, cancellationToken);
        foreach (var warning in compiled.Diagnostics.Where(d => !d.IsError))
        {
            _log.LogWarning("{Diagnostic}", warning.ToString());
        }

        return compiled;
    }

    // On the loop: role code (constructor, Config, Register) runs here like all role code.
    private IReadOnlyList<RoleDiagnostic> Activate(CompiledRole compiled)
    {
        IReadOnlyList<RoleDiagnostic> errors;
        try
        {
            _registry.Activate(_instantiator.Instantiate(compiled));
            var status = _registry.Status.First(s => s.Path == compiled.Path);
            return status.State == RoleState.Active ? [] : status.LastErrors;
        }
        catch (RoleLoadFailedException ex)
        {
            errors = ex.Diagnostics;
        }

        _registry.Fail(compiled.Path, errors, compiled.ContentHash);
        return errors;
    }
}
