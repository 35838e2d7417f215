namespace AgentPlugins.Host.Roles.Unloading;

/// <summary>How long a retired generation gets to finish its work and to be collected.</summary>
internal sealed record UnloadVerifierOptions
{
    /// <summary>The longest a retired generation's running intent handlers are awaited before its context is unloaded anyway.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Garbage collections a context may survive before it is declared leaked.</summary>
    public int Passes { get; init; } = 10;

    /// <summary>The pause before the first pass; each later pause doubles, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(500);
}
