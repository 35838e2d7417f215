namespace AgentPlugins.Host.Timers;

/// <summary>Turns a time of day into the next instant a clock in a given time zone shows it.</summary>
internal static class WallClock
{
    /// <summary>
    /// The first instant after <paramref name="now"/> at which <paramref name="zone"/> reads
    /// <paramref name="time"/>. A time skipped by a daylight-saving jump (02:30 on a spring-forward
    /// night) is taken as the same distance past the jump; a time that happens twice (autumn) is the first.
    /// </summary>
    public static DateTimeOffset Next(TimeOnly time, DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        for (var day = 0; day <= 2; day++)
        {
            var candidate = DateOnly.FromDateTime(local.DateTime).AddDays(day).ToDateTime(time, DateTimeKind.Unspecified);
            var at = ToInstant(candidate, zone);
            if (at > now)
            {
                return at;
            }
        }

        // Unreachable for real zones (offsets move less than a day); kept so the method is total.
        return now.AddDays(1);
    }

    private static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        if (zone.IsInvalidTime(local))
        {
            // Inside a spring-forward gap: the offset before the jump reads the wall time past it.
            var before = zone.GetUtcOffset(local.AddHours(-3));
            return new DateTimeOffset(local, before).ToOffset(zone.GetUtcOffset(local.AddHours(3)));
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
