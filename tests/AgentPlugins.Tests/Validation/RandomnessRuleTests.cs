namespace AgentPlugins.Tests.Validation;

/// <summary>AP0303: event handlers, and the helpers they call, draw no random values; tools and intent handlers may.</summary>
public sealed class RandomnessRuleTests
{
    [Theory]
    [InlineData("var id = Guid.NewGuid().ToString(\"N\");", "Guid.NewGuid")]
    [InlineData("var id = Guid.CreateVersion7().ToString();", "Guid.CreateVersion7")]
    [InlineData("var id = new Random().Next(10).ToString(System.Globalization.CultureInfo.InvariantCulture);", "new Random")]
    [InlineData("var id = new Random(42).Next(10).ToString(System.Globalization.CultureInfo.InvariantCulture);", "new Random")]
    [InlineData("var id = Random.Shared.Next(10).ToString(System.Globalization.CultureInfo.InvariantCulture);", "Random.Shared")]
    [InlineData("var id = System.Security.Cryptography.RandomNumberGenerator.GetInt32(10).ToString(System.Globalization.CultureInfo.InvariantCulture);", "RandomNumberGenerator.GetInt32")]
    [InlineData("var id = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));", "RandomNumberGenerator.GetBytes")]
    public void A_random_value_in_an_event_handler_is_an_error_at_its_line(string statement, string display)
    {
        var source = Handler(statement);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0303", Microsoft.CodeAnalysis.DiagnosticSeverity.Error, RoleText.LineOf(source, statement)), (found.Code, found.Severity, found.Line));
        Assert.Contains($"Event handler OnTick draws a random value with {display};", found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_random_made_once_and_used_twice_is_one_mistake_where_it_is_made()
    {
        var source = Handler("var random = new Random(7);\n        var id = (random.Next(5) + random.Next(5)).ToString(System.Globalization.CultureInfo.InvariantCulture);");

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(RoleText.LineOf(source, "new Random(7)"), found.Line);
    }

    [Fact]
    public void A_helper_the_handler_calls_is_followed_and_named()
    {
        var source = RoleText.With(
            register: "role.On(Events.HeartbeatTick, (e, context) => [new NotificationIntent(Pick())]);",
            members: "private static string Pick() => Guid.NewGuid().ToString(\"N\");");

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0303", RoleText.LineOf(source, "Guid.NewGuid")), (found.Code, found.Line));
        Assert.Contains("Event handler lambda calls Pick, which draws a random value with Guid.NewGuid", found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Guids_that_are_not_new_and_randomness_in_tools_are_allowed()
    {
        var source = RoleText.With(
            register: "role.On(Events.HeartbeatTick, (e, context) => [new NotificationIntent(Guid.Parse(e.Get(\"id\") ?? Guid.Empty.ToString()).ToString())]);",
            members: """
                [KernelFunction("roll"), Description("Roll a die")]
                public ToolResult Roll() => ToolResult.Ok($"{Random.Shared.Next(1, 7)} {Guid.NewGuid():N}");
                """);

        Assert.Empty(Validate.Source(source));
    }

    private static string Handler(string statement) => RoleText.With(
        register: "role.On(Events.HeartbeatTick, OnTick);",
        members: $$"""
            private static IEnumerable<Intent> OnTick(BusEvent e, EventContext context)
            {
                {{statement}}
                return [new NotificationIntent(id)];
            }
            """);
}
