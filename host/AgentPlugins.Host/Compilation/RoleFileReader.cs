using System.Text;

namespace AgentPlugins.Host.Compilation;

/// <summary>
/// Reads role files the one way the host and <c>host validate</c> both use: regular files only (a
/// FIFO or device would block the reader forever), never through a link that leaves the roles
/// folder, at most <see cref="MaxBytes"/>, and text only (a binary file is one diagnostic, not
/// thousands of compiler errors).
/// </summary>
internal static class RoleFileReader
{
    /// <summary>A role is a few hundred lines; anything this big is not one.</summary>
    public const int MaxBytes = 512 * 1024;

    /// <summary>The patterns a roles folder is searched for.</summary>
    public static readonly string[] Patterns = ["*.cs", "*.csx"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// True for a path the host takes: <c>.cs</c> or <c>.csx</c>, not hidden. Editors keep their
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

    /// <summary>
    /// Reads <paramref name="path"/>. <paramref name="folder"/>, when given, is the roles folder a
    /// link may not leave. Never blocks on a special file; retries briefly while an editor holds it.
    /// </summary>
    public static async Task<RoleFileRead> ReadAsync(string path, string? folder, CancellationToken cancellationToken)
    {
        path = Path.GetFullPath(path);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ReadOnceAsync(path, folder, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return RoleFileRead.Gone;
            }
            catch (IOException) when (attempt < 3)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return RoleFileRead.Problem(path, $"Cannot read the role file: {ex.Message}");
            }
        }
    }

    private static async Task<RoleFileRead> ReadOnceAsync(string path, string? folder, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return Directory.Exists(path) ? RoleFileRead.Problem(path, "This is a folder, not a role file.") : RoleFileRead.Gone;
        }

        if (info.LinkTarget is not null)
        {
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !target.Exists)
            {
                return RoleFileRead.Problem(path, $"The link points at '{info.LinkTarget}', which does not exist.");
            }

            if (folder is not null && !IsInside(target.FullName, folder))
            {
                return RoleFileRead.Problem(path, $"The link points at '{target.FullName}', outside the roles folder; the host reads role files only from inside it.");
            }

            info = new FileInfo(target.FullName);
        }

        // Nothing to read, and a FIFO, socket or device (all of length 0) is never opened: that could
        // block forever. An empty role file is almost always a save caught between truncate and write.
        if (info.Length == 0)
        {
            return RoleFileRead.Empty(path);
        }

        if (info.Length > MaxBytes)
        {
            return RoleFileRead.Problem(path, $"The file is {info.Length:N0} bytes; a role file is at most {MaxBytes:N0} bytes (a role is a few hundred lines).");
        }

        byte[] bytes;
        var stream = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            // Read at most one byte past the cap: the file may have grown since it was measured.
            var buffer = new byte[MaxBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            if (length > MaxBytes)
            {
                return RoleFileRead.Problem(path, $"The file is over {MaxBytes:N0} bytes; a role file is at most that (a role is a few hundred lines).");
            }

            bytes = buffer.AsSpan(0, length).ToArray();
        }

        if (bytes.AsSpan().IndexOf((byte)0) >= 0)
        {
            return RoleFileRead.Problem(path, "The file is binary (it contains NUL bytes); a role file is C# source text.");
        }

        string text;
        try
        {
            var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
            text = StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException)
        {
            return RoleFileRead.Problem(path, "The file is not UTF-8 text; save it as UTF-8.");
        }

        return RoleFileRead.Read(new RoleFile(path, text, RoleFile.HashOf(text)));
    }

    private static bool IsInside(string path, string folder)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        return path.StartsWith(root, StringComparison.Ordinal);
    }
}
