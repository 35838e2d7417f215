using AgentPlugins.Host.Authoring;
using AgentPlugins.Host.Commands;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Validation;

/// <summary>The <c>host new role</c> template: valid for any valid name, and a role that runs.</summary>
public sealed class RoleTemplateTests
{
    [Theory]
    [InlineData("a", "A")]
    [InlineData("weather", "Weather")]
    [InlineData("price_alerts", "PriceAlerts")]
    [InlineData("x2_y", "X2Y")]
    public void The_template_validates_clean_for_any_valid_name(string name, string type)
    {
        Assert.Equal(type, RoleTemplate.TypeNameOf(name));
        Assert.Empty(Validate.Source(RoleTemplate.Render(name), name + ".cs").Select(d => d.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Weather")]
    [InlineData("2fast")]
    [InlineData("price-alerts")]
    [InlineData("_hidden")]
    public void Bad_names_are_refused_with_exit_2_and_write_nothing(string name)
    {
        using var folder = new TempFolder();
        var errors = new StringWriter();

        Assert.Equal(NewCommand.UsageError, NewCommand.Run(name, folder.Path, null, TextWriter.Null, errors));
        Assert.Contains("is not a role name", errors.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public async Task A_new_role_loads_and_its_tool_runs_through_its_intent_handler()
    {
        await using var runtime = await TestRuntime.Create().StartAsync();
        Assert.Equal(NewCommand.Created, NewCommand.Run("greeter", runtime.RolesFolder, null, TextWriter.Null, TextWriter.Null));

        Assert.Empty(await runtime.LoadFileAsync(Path.Combine(runtime.RolesFolder, "greeter.cs")));
        var reply = await runtime.AskAsync("/greeter echo \"hello there\"");

        Assert.Contains("Echoing 'hello there'", reply.Text, StringComparison.Ordinal);
        await runtime.Console.WaitForAsync(m => m.Text == "hello there");
    }
}
