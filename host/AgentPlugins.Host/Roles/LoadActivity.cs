namespace AgentPlugins.Host.Roles;

/// <summary>
/// Counts role loads in progress, so background work that would stall them (the unload verifier's
/// forced garbage collections pause every thread) can wait for a quiet moment.
/// </summary>
internal sealed class LoadActivity
{
    private int _loads;

    public bool IsBusy => Volatile.Read(ref _loads) > 0;

    /// <summary>Marks a load as running until the returned scope is disposed.</summary>
    public Scope Enter()
    {
        Interlocked.Increment(ref _loads);
        return new Scope(this);
    }

    internal readonly struct Scope(LoadActivity activity) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref activity._loads);
    }
}
