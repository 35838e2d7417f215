namespace AgentPlugins.Host.Roles.Unloading;

/// <summary>The end of one retired generation.</summary>
/// <param name="Path">The role file.</param>
/// <param name="Role">The role's name.</param>
/// <param name="Generation">The generation's number.</param>
/// <param name="Outcome">Unloaded or leaked.</param>
/// <param name="Elapsed">From retirement to the verdict.</param>
/// <param name="LikelyCause">For a leak, what in the role probably holds it; null when it unloaded.</param>
/// <param name="Passes">The verification passes (each a forced collection) it took.</param>
internal sealed record UnloadVerdict(string Path, string Role, int Generation, UnloadOutcome Outcome, TimeSpan Elapsed, string? LikelyCause, int Passes = 0);
