using AgentPlugins.Sdk;
using AgentPlugins.Tests.Validation;

namespace AgentPlugins.Tests.Sdk;

/// <summary><see cref="RoleConfig"/> asks for what the router needs: a role without WhenToUse does not compile.</summary>
public sealed class RoleConfigTests
{
    [Fact]
    public void A_role_that_leaves_out_WhenToUse_does_not_compile_and_the_error_names_it()
    {
        var source = RoleText.With().Replace(", WhenToUse: \"Tests\")", ")", StringComparison.Ordinal);

        var diagnostics = Validate.Source(source);

        var error = Assert.Single(diagnostics, d => d.IsError);
        Assert.Equal("CS7036", error.Code);
        Assert.Contains("WhenToUse", error.Message, StringComparison.Ordinal);
        Assert.Equal(RoleText.LineOf(source, "public RoleConfig Config"), error.Line);
    }

    [Theory]
    [InlineData("WhenToUse: \"\"")]
    [InlineData("WhenToUse: \"  \"")]
    public void An_empty_WhenToUse_compiles_and_is_rule_AP0005(string argument)
    {
        var source = RoleText.With().Replace("WhenToUse: \"Tests\"", argument, StringComparison.Ordinal);

        var diagnostic = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0005", "Config.WhenToUse is empty; tell the router in one line when to pick this role."), (diagnostic.Code, diagnostic.Message));
    }

    [Fact]
    public void WhenToUse_comes_right_after_Description_and_only_the_model_settings_are_optional()
    {
        var parameters = typeof(RoleConfig).GetConstructors().Single(c => c.GetParameters().Length > 1).GetParameters();

        Assert.Equal(["Name", "Version", "Description", "WhenToUse", "Llm", "FastReply"], parameters.Select(p => p.Name));
        Assert.Equal(["Llm", "FastReply"], parameters.Where(p => p.HasDefaultValue).Select(p => p.Name));
    }

    [Fact]
    public void Positional_arguments_read_in_the_order_the_router_needs_them()
    {
        var config = new RoleConfig("notes", "1.0.0", "Keeps notes", "The user wants to note or find something", LlmTier.Weak, FastReply: true);

        Assert.Equal(("Keeps notes", "The user wants to note or find something", LlmTier.Weak, true), (config.Description, config.WhenToUse, config.Llm, config.FastReply));
    }
}
