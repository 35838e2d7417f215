using AgentPlugins.Sdk;

namespace AgentPlugins.Tests.Sdk;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("1h 30m", 5400)]
    [InlineData("2 minutes", 120)]
    [InlineData("1 hour, 5 minutes", 3900)]
    [InlineData("PT5M", 300)]
    [InlineData("45", 45)]
    [InlineData("1.5m", 90)]
    [InlineData("1d", 86400)]
    public void Reads_the_forms_people_write(string text, double seconds)
    {
        Assert.True(Durations.TryParse(text, out var duration, out var error), error);
        Assert.Equal(seconds, duration.TotalSeconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("-5m")]
    [InlineData("5 parsecs")]
    [InlineData("0")]
    [InlineData("m5")]
    [InlineData("99999999999999999999999h")]
    public void Refuses_bad_input_with_a_message_showing_an_accepted_form(string? text)
    {
        Assert.False(Durations.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.True(error.Contains("5m", StringComparison.Ordinal) || error.Contains("too long", StringComparison.Ordinal), error);
    }
}
