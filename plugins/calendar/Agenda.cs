using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using IcalCalendar = Ical.Net.Calendar;

namespace AgentPlugins.Calendar;

/// <summary>One event occurrence, in the user's time zone.</summary>
public sealed record AgendaItem(DateTimeOffset Start, DateTimeOffset End, string Summary);

/// <summary>Reads an iCalendar file and expands its events (recurrences included) over a span of time.</summary>
public static class Agenda
{
    /// <summary>The occurrences starting from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), in start order.</summary>
    public static IReadOnlyList<AgendaItem> Between(string ics, DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var calendar = IcalCalendar.Load(ics) ?? throw new FormatException("The file holds no VCALENDAR.");
        var start = new CalDateTime(from.UtcDateTime, "UTC");
        return [.. calendar.GetOccurrences<CalendarEvent>(start)
            .TakeWhile(o => o.Period.StartTime.AsUtc < to.UtcDateTime)
            .Select(o => new AgendaItem(
                TimeZoneInfo.ConvertTime(new DateTimeOffset(o.Period.StartTime.AsUtc, TimeSpan.Zero), zone),
                TimeZoneInfo.ConvertTime(new DateTimeOffset(o.Period.EffectiveEndTime?.AsUtc ?? o.Period.StartTime.AsUtc, TimeSpan.Zero), zone),
                ((CalendarEvent)o.Source).Summary ?? "(untitled)"))
            .Where(item => item.Start >= from)];
    }
}
