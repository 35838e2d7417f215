namespace AgentPlugins.Tests.Agents;

public sealed class DepthTests
{
    [Fact]
    public async Task A_role_that_keeps_starting_requests_is_stopped_at_the_depth_limit()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["looper.cs"] = TestRoles.Looper });
        agents.Server.Fallback = request =>
            request.Tools.Count == 0 ? ScriptedReply.Route("looper", 0.9)
            : request.AfterTool ? ScriptedReply.Text("did it")
            : ScriptedReply.Call("looper-again");

        var reply = await agents.AskAsync("do it");

        Assert.True(reply.Success, reply.Text);
        await agents.Test.Console.WaitForAsync(m => m.Text.Contains("past llm:routing:maxDepth (2)", StringComparison.Ordinal));
        await Task.Delay(200);

        // The request, then two nested ones (depth 1 and 2); the third is refused before any model call.
        Assert.Equal(3, agents.Server.Requests.Count(r => r.Tools.Count == 0));
        Assert.Equal(2, agents.Test.Console.Messages.Count(m => m.Text == "did it" && m.Kind == Host.Channels.MessageKind.Notification));
    }
}
