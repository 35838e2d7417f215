using System.Diagnostics;

namespace AgentPlugins.Host.Compilation;

/// <summary>
/// When each compile stage ended, as <see cref="Stopwatch"/> timestamps (the monotonic clock, so another
/// process on the machine can compare them with its own). A result read from the compile cache has
/// every stage at the moment the read ended.
/// </summary>
/// <param name="Started">The compile began.</param>
/// <param name="Parsed">The file was parsed and its compilation built; the rules and the emit both start here, side by side.</param>
/// <param name="Checked">The role rules ended.</param>
/// <param name="Emitted">The assembly and PDB were emitted (or the emit ended with errors).</param>
/// <param name="FromCache">True when the result came from the compile cache rather than Roslyn.</param>
internal sealed record CompileTimings(long Started, long Parsed, long Checked, long Emitted, bool FromCache = false)
{
    public static CompileTimings Cached(long started, long ended) => new(started, ended, ended, ended, FromCache: true);

    /// <summary>When both the rules and the emit had ended.</summary>
    public long Ended => Math.Max(Checked, Emitted);
}
