using AgentPlugins.Host.Timers;

namespace AgentPlugins.Tests.Timers;

public sealed class WallClockTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    [Fact]
    public void A_time_later_today_is_today_and_an_earlier_one_tomorrow()
    {
        var now = new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.FromHours(2));
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 9, 15, 0, TimeSpan.FromHours(2)), WallClock.Next(new TimeOnly(9, 15), now, Paris));
        Assert.Equal(new DateTimeOffset(2026, 6, 2, 7, 0, 0, TimeSpan.FromHours(2)), WallClock.Next(new TimeOnly(7, 0), now, Paris));
        Assert.Equal(new DateTimeOffset(2026, 6, 2, 8, 0, 0, TimeSpan.FromHours(2)), WallClock.Next(new TimeOnly(8, 0), now, Paris));
    }

    [Fact]
    public void A_time_skipped_by_the_spring_forward_jump_is_taken_past_the_jump()
    {
        // 29 March 2026: Paris clocks go from 02:00 CET straight to 03:00 CEST.
        var evening = new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.FromHours(1));
        var due = WallClock.Next(new TimeOnly(2, 30), evening, Paris);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero), due.ToUniversalTime());
        Assert.Equal(TimeSpan.FromHours(2), due.Offset);
    }

    [Fact]
    public void A_time_that_happens_twice_in_autumn_is_the_first()
    {
        // 25 October 2026: Paris clocks go from 03:00 CEST back to 02:00 CET; 02:30 happens twice.
        var evening = new DateTimeOffset(2026, 10, 24, 23, 0, 0, TimeSpan.FromHours(2));
        var due = WallClock.Next(new TimeOnly(2, 30), evening, Paris);
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), due.ToUniversalTime());
    }
}
