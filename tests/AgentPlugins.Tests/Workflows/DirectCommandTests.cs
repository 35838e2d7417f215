using AgentPlugins.Host.Workflows;

namespace AgentPlugins.Tests.Workflows;

public sealed class DirectCommandTests
{
    [Fact]
    public void Reads_role_tool_and_positional_arguments()
    {
        Assert.True(DirectCommand.TryParse("/timer set_timer 5m tea", out var command, out _));
        Assert.Equal(("timer", "set_timer"), (command!.Role, command.Tool));
        Assert.Equal(["5m", "tea"], command.Positional);
        Assert.Empty(command.Named);
    }

    [Fact]
    public void Reads_named_and_quoted_arguments()
    {
        Assert.True(DirectCommand.TryParse("/timer set_timer 5m label=\"green tea\" followUp='say \\'hi\\''", out var command, out _));
        Assert.Equal(["5m"], command!.Positional);
        Assert.Equal([new("label", "green tea"), new("followUp", "say 'hi'")], command.Named);
    }

    [Fact]
    public void A_value_with_an_equals_sign_in_quotes_stays_positional()
    {
        Assert.True(DirectCommand.TryParse("/calc eval \"1+1=2\"", out var command, out _));
        Assert.Equal(["1+1=2"], command!.Positional);
    }

    [Theory]
    [InlineData("/timer set_timer \"5m", "Unclosed \" quote")]
    [InlineData("/", "No role named")]
    [InlineData("/timer set_timer label=tea 5m", "Positional argument '5m' after a named one")]
    [InlineData("timer set_timer", "starts with '/'")]
    public void Malformed_commands_are_refused_with_a_reason(string text, string reason)
    {
        Assert.False(DirectCommand.TryParse(text, out var command, out var error));
        Assert.Null(command);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
