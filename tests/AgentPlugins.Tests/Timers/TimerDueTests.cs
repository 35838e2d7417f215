using AgentPlugins.Sdk;

namespace AgentPlugins.Tests.Timers;

public sealed class TimerDueTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("2 minutes", 120)]
    [InlineData("PT5M", 300)]
    [InlineData("45", 45)]
    [InlineData("in 5m", 300)]
    [InlineData(" 1 hour, 5 minutes ", 3900)]
    public void Reads_durations(string text, double seconds)
    {
        Assert.True(TimerDue.TryParse(text, out var due, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), due.After);
        Assert.Null(due.At);
    }

    [Theory]
    [InlineData("07:30", 7, 30, 0)]
    [InlineData("7:30", 7, 30, 0)]
    [InlineData("19:05:30", 19, 5, 30)]
    [InlineData("00:00", 0, 0, 0)]
    [InlineData("7am", 7, 0, 0)]
    [InlineData("7 AM", 7, 0, 0)]
    [InlineData("7:30pm", 19, 30, 0)]
    [InlineData("7:30 p.m.", 19, 30, 0)]
    [InlineData("12am", 0, 0, 0)]
    [InlineData("12pm", 12, 0, 0)]
    [InlineData("at 6:45", 6, 45, 0)]
    public void Reads_times_of_day(string text, int hour, int minute, int second)
    {
        Assert.True(TimerDue.TryParse(text, out var due, out var error), error);
        Assert.Equal(new TimeOnly(hour, minute, second), due.At);
        Assert.Null(due.After);
    }

    [Theory]
    [InlineData("-5m", "use e.g. 90s, 5m")]
    [InlineData("5 parsecs", "'5 parsecs' is not a duration; use e.g. 90s, 5m")]
    [InlineData("", "No duration or time given; use e.g. 90s, 5m")]
    [InlineData("   ", "No duration or time given")]
    [InlineData(null, "No duration or time given")]
    [InlineData("0", "is not a positive duration; use e.g.")]
    [InlineData("-5", "is not a positive duration; use e.g.")]
    [InlineData("99999999999999999999999h", "too long a duration")]
    [InlineData("1e400", "is not a duration; use e.g.")]
    [InlineData("PT-5M", "is not a duration; use e.g.")]
    [InlineData("25:00", "is not a time of day; use e.g. 07:30")]
    [InlineData("7:61", "is not a time of day; use e.g. 07:30")]
    [InlineData("13pm", "with am/pm the hour is 1 to 12")]
    [InlineData("at noon", "is not a time of day; use e.g. 07:30")]
    public void Refuses_bad_input_clearly_without_throwing(string? text, string expected)
    {
        Assert.False(TimerDue.TryParse(text, out var due, out var error));
        Assert.Null(due);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_for_durations_also_offer_a_time_of_day()
    {
        Assert.False(TimerDue.TryParse("5 parsecs", out _, out var error));
        Assert.EndsWith("or a time of day such as 07:30 or 7am.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_positive_duration_is_a_programming_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TimerDue.In(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimerDue.In(TimeSpan.FromMinutes(-5)));
    }
}
