using System.Security.Cryptography;
using System.Text;

namespace AgentPlugins.Host.Compilation;

/// <summary>
/// A role file's content as read once from disk: every later step (hash check, compile cache,
/// compiler, status) uses this, so a file is read and hashed once per change.
/// </summary>
/// <param name="Path">The full path of the file.</param>
/// <param name="Text">Its content.</param>
/// <param name="Hash">The SHA-256 of <paramref name="Text"/> (UTF-8), lower-case hex.</param>
internal sealed record RoleFile(string Path, string Text, string Hash)
{
    /// <summary>A role file from text already in hand (a test, an editor buffer, an HTTP request).</summary>
    public static RoleFile FromText(string path, string text) => new(System.IO.Path.GetFullPath(path), text, HashOf(text));

    public static string HashOf(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
