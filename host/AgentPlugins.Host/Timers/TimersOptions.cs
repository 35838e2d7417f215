namespace AgentPlugins.Host.Timers;

/// <summary>Timer limits and the time zone alarms are read in (plugins.json <c>timers</c>; docs/timers.md).</summary>
internal sealed record TimersOptions
{
    /// <summary>The value of <see cref="TimeZone"/> that means the machine's own time zone.</summary>
    public const string LocalZone = "local";

    /// <summary>An IANA time zone id (<c>Europe/Paris</c>), <c>UTC</c>, or <c>local</c> for the machine's.</summary>
    public string TimeZone { get; init; } = LocalZone;

    /// <summary>The longest timer a user may set; longer ones are refused.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How many pending timers one user may have; more are refused.</summary>
    public int MaxPerUser { get; init; } = 100;

    /// <summary>
    /// How long an owned timer's expiry waits for its role to come back (file deleted, failed,
    /// quarantined) before it is recorded as undeliverable in the audit and the user is told.
    /// </summary>
    public TimeSpan OwnerGrace { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The zone <see cref="TimeZone"/> names, or null when this machine does not know it.</summary>
    public TimeZoneInfo? FindTimeZone()
    {
        if (string.Equals(TimeZone, LocalZone, StringComparison.OrdinalIgnoreCase))
        {
            return TimeZoneInfo.Local;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone) ? zone : null;
    }
}
