using System.Diagnostics;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Compilation;

/// <summary>
/// Compiles role files through an <see cref="IRoleCompiler"/> (in this process or a compiler process), keeping each successful result on disk
/// (the data folder's <c>compile-cache</c>), so a restart with unchanged roles skips Roslyn. The key
/// is the content hash, the role's path (the PDB names it), the compiler and reference set, and the
/// host build (role rules live in it). The folder is bounded: the least recently used entries go
/// first. Thread-safe; runs off the loop.
/// </summary>
internal sealed class CompileCache
{
    private const string AssemblyExtension = ".dll";
    private const string PdbExtension = ".pdb";
    private const string DiagnosticsExtension = ".json";

    private static readonly JsonSerializerOptions Json = new();

    private readonly IRoleCompiler _compiler;
    private readonly string? _folder;
    private readonly long _capacityBytes;
    private readonly ILogger _log;
    private readonly string _fingerprint;
    private readonly Lock _trimGate = new();
    private long _compiles;
    private long _hits;
    private long _bytes = -1;
    private Task _writes = Task.CompletedTask;

    /// <param name="folder">Where entries live; null keeps nothing on disk (every call compiles).</param>
    /// <param name="capacityBytes">The most the folder may hold before old entries are removed.</param>
    public CompileCache(IRoleCompiler compiler, string? folder, long capacityBytes, ILogger<CompileCache> log)
    {
        _compiler = compiler;
        _folder = folder;
        _capacityBytes = capacityBytes;
        _log = log;
        _fingerprint = $"{compiler.Fingerprint}/{typeof(CompileCache).Assembly.ManifestModule.ModuleVersionId:N}";
    }

    /// <summary>Times Roslyn ran.</summary>
    public long Compiles => Interlocked.Read(ref _compiles);

    /// <summary>Times a result came from disk instead.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    public CompiledRole Compile(RoleFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var started = Stopwatch.GetTimestamp();
        var (fullPath, hash) = (file.Path, file.Hash);
        var entry = _folder is null ? null : Path.Combine(_folder, KeyOf(fullPath, hash));
        if (entry is not null && TryRead(entry, fullPath, hash, out var cached))
        {
            Interlocked.Increment(ref _hits);
            return cached with { Timings = CompileTimings.Cached(started, Stopwatch.GetTimestamp()) };
        }

        Interlocked.Increment(ref _compiles);
        var compiled = _compiler.Compile(file, cancellationToken);
        if (entry is not null && compiled.Succeeded)
        {
            // Writing to disk is for the next start; the load waiting for this result should not.
            lock (_trimGate)
            {
                _writes = Task.WhenAll(_writes, Task.Run(() => Write(entry, compiled), CancellationToken.None));
            }
        }

        return compiled;
    }

    /// <summary>Completes when every entry started so far is on disk (the host awaits it when it stops).</summary>
    public Task FlushAsync()
    {
        lock (_trimGate)
        {
            return _writes;
        }
    }

    private string KeyOf(string fullPath, string contentHash)
    {
        var key = XxHash128.Hash(Encoding.UTF8.GetBytes($"{contentHash}\n{fullPath}\n{_fingerprint}"));
        return Convert.ToHexStringLower(key);
    }

    private bool TryRead(string entry, string fullPath, string hash, out CompiledRole compiled)
    {
        compiled = null!;
        try
        {
            // The diagnostics file is written last, so its presence means the entry is whole.
            if (!File.Exists(entry + DiagnosticsExtension))
            {
                return false;
            }

            // A clean role's list is empty: reading it through the serializer would load Roslyn (the
            // diagnostics name its severity type), which a start from the cache otherwise never needs.
            var json = File.ReadAllBytes(entry + DiagnosticsExtension);
            var diagnostics = json.AsSpan().Trim(" \r\n"u8).SequenceEqual("[]"u8) ? [] : JsonSerializer.Deserialize<List<RoleDiagnostic>>(json, Json) ?? [];
            var assembly = File.ReadAllBytes(entry + AssemblyExtension);
            var pdb = File.ReadAllBytes(entry + PdbExtension);
            var now = DateTime.UtcNow;
            File.SetLastWriteTimeUtc(entry + DiagnosticsExtension, now);
            compiled = new CompiledRole(fullPath, hash, assembly, pdb, diagnostics);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            _log.LogDebug(ex, "Compile cache entry {Entry} is unreadable; compiling instead.", entry);
            return false;
        }
    }

    private void Write(string entry, CompiledRole compiled)
    {
        try
        {
            Directory.CreateDirectory(_folder!);
            WriteAtomically(entry + AssemblyExtension, compiled.Assembly!);
            WriteAtomically(entry + PdbExtension, compiled.Pdb!);
            var diagnostics = JsonSerializer.SerializeToUtf8Bytes(compiled.Diagnostics, Json);
            WriteAtomically(entry + DiagnosticsExtension, diagnostics);
            Trim(compiled.Assembly!.Length + compiled.Pdb!.Length + diagnostics.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The cache only saves time; a full disk or a read-only data folder must not stop a load.
            _log.LogWarning("Cannot write the compile cache in {Folder}: {Message}", _folder, ex.Message);
        }
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }

    // Removes whole entries, least recently used first, until the folder fits its capacity. The
    // folder is listed only when a running total says it may be over, not on every write.
    private void Trim(long written)
    {
        lock (_trimGate)
        {
            _bytes = _bytes < 0 ? new DirectoryInfo(_folder!).EnumerateFiles().Sum(f => f.Length) : _bytes + written;
            if (_bytes <= _capacityBytes)
            {
                return;
            }

            var entries = new DirectoryInfo(_folder!).EnumerateFiles()
                .GroupBy(file => Path.GetFileNameWithoutExtension(file.Name), StringComparer.Ordinal)
                .Select(group => (Key: group.Key, Bytes: group.Sum(f => f.Length), Used: group.Max(f => f.LastWriteTimeUtc)))
                .OrderBy(e => e.Used)
                .ToList();
            var total = entries.Sum(e => e.Bytes);
            foreach (var stale in entries)
            {
                if (total <= _capacityBytes)
                {
                    break;
                }

                foreach (var extension in new[] { DiagnosticsExtension, AssemblyExtension, PdbExtension })
                {
                    File.Delete(Path.Combine(_folder!, stale.Key + extension));
                }

                total -= stale.Bytes;
            }

            _bytes = total;
        }
    }
}
