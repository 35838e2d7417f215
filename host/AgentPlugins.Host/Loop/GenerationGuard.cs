namespace AgentPlugins.Host.Loop;

/// <summary>
/// One role generation as the loop's supervision sees it: who it is (for the crash journal and
/// messages) and whether it is quarantined. Quarantine is a flag set from any thread, most often the
/// watchdog's while the loop is still stuck in the role's call; the loop checks it before every call
/// into the generation and drops the generation's continuations once it is set.
/// </summary>
internal sealed class GenerationGuard
{
    private readonly Dictionary<string, RoleCall> _calls = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<string> _quarantined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;

    /// <param name="role">The role's name; empty while it is not known yet (a file being loaded).</param>
    /// <param name="path">The role file.</param>
    /// <param name="contentHash">The hash of the content this generation was built from.</param>
    public GenerationGuard(string role, string path, string contentHash)
    {
        Role = role;
        Path = path;
        ContentHash = contentHash;
    }

    public string Role { get; }

    public string Path { get; }

    public string ContentHash { get; }

    /// <summary>The generation number (0 while loading).</summary>
    public int Generation { get; set; }

    /// <summary>The role's name, or the file's name while the role is not known yet.</summary>
    public string DisplayName => Role.Length > 0 ? Role : System.IO.Path.GetFileName(Path);

    public bool IsQuarantined => Volatile.Read(ref _state) == 1;

    /// <summary>Completes with the reason once the generation is quarantined; never fails.</summary>
    public Task<string> Quarantined => _quarantined.Task;

    // Budget bookkeeping, touched only by the watchdog's timer.
    internal long BudgetWindow { get; set; } = -1;

    internal int BudgetSamples { get; set; }

    /// <summary>Quarantines the generation; thread-safe. False when it already was.</summary>
    public bool TryQuarantine(string reason)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            return false;
        }

        _quarantined.TrySetResult(reason);
        return true;
    }

    /// <summary>The call site of <paramref name="handler"/> in this generation, made once and reused.</summary>
    public RoleCall Call(string handler)
    {
        lock (_calls)
        {
            if (!_calls.TryGetValue(handler, out var call))
            {
                call = new RoleCall(this, handler);
                _calls[handler] = call;
            }

            return call;
        }
    }
}
