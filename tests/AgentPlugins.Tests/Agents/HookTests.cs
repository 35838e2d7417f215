namespace AgentPlugins.Tests.Agents;

public sealed class HookTests
{
    [Fact]
    public async Task A_pre_processor_adds_data_to_the_prompt_and_a_post_processor_reshapes_the_answer_both_on_the_loop()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["weather.cs"] = TestRoles.Weather });
        agents.Server.Enqueue(ScriptedReply.Route("weather", 0.9, """{"city": "Oslo"}"""), ScriptedReply.Text("sunny in Oslo"));

        var reply = await agents.AskAsync("what is the weather in Oslo?");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal($"SUNNY IN OSLO [post on thread {agents.LoopThread}]", reply.Text);
        var system = agents.Server.Requests[1].System;
        Assert.StartsWith("You report the weather.", system, StringComparison.Ordinal);
        Assert.Contains($"Weather data for Oslo: sunny, 21 C (fetched on thread {agents.LoopThread}).", system, StringComparison.Ordinal);
    }
}
