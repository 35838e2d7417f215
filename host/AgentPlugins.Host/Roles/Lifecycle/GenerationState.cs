namespace AgentPlugins.Host.Roles;

/// <summary>
/// Where one generation of a role stands. The only path through it:
/// Loading → Serving → (Draining | Quarantined) → Withdrawn → (Unloaded | Leaked);
/// a load that fails its checks goes Loading → Refused → (Unloaded | Leaked).
/// </summary>
internal enum GenerationState
{
    /// <summary>Compiled and being instantiated; its <c>Register</c> runs now.</summary>
    Loading,

    /// <summary>Receives events, tools and intents.</summary>
    Serving,

    /// <summary>Replaced; finishing the intent handlers it had started (up to the drain timeout). Receives nothing new.</summary>
    Draining,

    /// <summary>Silenced because it misbehaved (held the loop too long); receives nothing until its file changes.</summary>
    Quarantined,

    /// <summary>Did not pass the load (name taken, a host intent handled, config, Register threw); never served.</summary>
    Refused,

    /// <summary>Out of every table; its load context is being unloaded.</summary>
    Withdrawn,

    /// <summary>Verified gone from memory.</summary>
    Unloaded,

    /// <summary>Still in memory after the verifier's passes: something pins it.</summary>
    Leaked,
}
