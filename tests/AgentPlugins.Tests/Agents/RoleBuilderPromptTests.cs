using AgentPlugins.Sdk;

namespace AgentPlugins.Tests.Agents;

public sealed class RoleBuilderPromptTests
{
    [Fact]
    public void A_role_declares_one_prompt_one_pre_processor_and_one_post_processor()
    {
        var role = new RoleBuilder()
            .Prompt("You set timers.")
            .PreProcess(_ => Task.FromResult(string.Empty))
            .PostProcess((answer, _) => Task.FromResult(answer));

        Assert.Equal("You set timers.", role.Instructions);
        Assert.Throws<InvalidOperationException>(() => role.Prompt("again"));
        Assert.Throws<InvalidOperationException>(() => role.PreProcess(_ => Task.FromResult(string.Empty)));
        Assert.Throws<InvalidOperationException>(() => role.PostProcess((answer, _) => Task.FromResult(answer)));
        Assert.Throws<ArgumentException>(() => new RoleBuilder().Prompt(" "));
    }
}
