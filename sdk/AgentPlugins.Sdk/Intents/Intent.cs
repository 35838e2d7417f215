namespace AgentPlugins.Sdk;

/// <summary>
/// Something a role wants to happen. Roles return intents; the host validates and carries them out.
/// </summary>
public abstract record Intent
{
    /// <summary>When the intent was created.</summary>
    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>True when the intent is complete and consistent; an invalid intent is reported, never run.</summary>
    public abstract bool Validate();
}
