using System.IO.Hashing;
using System.Text;

namespace AgentPlugins.Host.Compilation;

/// <summary>
/// A role file's content as read once from disk: every later step (hash check, compile cache,
/// compiler, status) uses this, so a file is read and hashed once per change.
/// </summary>
/// <param name="Path">The full path of the file.</param>
/// <param name="Text">Its content.</param>
/// <param name="Hash">The XxHash128 of <paramref name="Text"/> (UTF-8), lower-case hex: a fingerprint that tells versions apart, not a security hash.</param>
internal sealed record RoleFile(string Path, string Text, string Hash)
{
    /// <summary>A role file from text already in hand (a test, an editor buffer, an HTTP request).</summary>
    public static RoleFile FromText(string path, string text) => new(System.IO.Path.GetFullPath(path), text, HashOf(text));

    // Not SHA-256: a host that starts every role from the compile cache would load the cryptography
    // libraries (about 5 MB resident) for nothing else.
    public static string HashOf(string text) => Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(text)));
}
