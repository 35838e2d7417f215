namespace AgentPlugins.Host.Supervision;

/// <summary>The role call a previous run of the host was inside when it ended without stopping.</summary>
/// <param name="Role">The role's name; empty when it died while the file was being loaded (constructor, <c>Config</c>, <c>Register</c>).</param>
/// <param name="Generation">The generation (0 while loading).</param>
/// <param name="Handler">The handler, tool or load step that was running.</param>
/// <param name="Path">The role file.</param>
/// <param name="ContentHash">The hash of the file content that generation was built from.</param>
/// <param name="PassedHardLimit">True when the host itself ended it at the hard limit; false for a crash (stack overflow, kill, out of memory).</param>
internal sealed record CrashRecord(string Role, int Generation, string Handler, string Path, string ContentHash, bool PassedHardLimit)
{
    /// <summary>The role's name, or its file's name when the role was not known yet.</summary>
    public string DisplayName => Role.Length > 0 ? Role : System.IO.Path.GetFileName(Path);

    /// <summary>Why the role is quarantined, in words.</summary>
    public string Reason => PassedHardLimit
        ? $"The previous run was stopped because handler {Handler} (generation {Generation}) passed loop:hardLimit."
        : $"The previous run ended abnormally (crash, stack overflow or kill) inside handler {Handler} (generation {Generation}).";
}
