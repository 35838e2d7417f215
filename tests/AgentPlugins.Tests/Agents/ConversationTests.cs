using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Agents;

public sealed class ConversationTests
{
    [Fact]
    public async Task A_follow_up_reaches_the_same_role_with_what_was_said_even_after_a_restart()
    {
        using var data = new TempFolder();
        await using (var first = await AgentHarness.StartAsync(dataFolder: data.Path))
        {
            first.Server.Enqueue(
                ScriptedReply.Route("timer", 0.9),
                ScriptedReply.Call("timer-set_timer", """{"duration": "10m", "label": "bread"}"""),
                ScriptedReply.Text("Timer for the bread set to 10 minutes."));
            Assert.True((await first.AskAsync("remind me in ten minutes to take the bread out")).Success);
        }

        await using var second = await AgentHarness.StartAsync(dataFolder: data.Path);
        second.Server.Enqueue(
            request => request.LastUser.Contains("timer: Timer for the bread set to 10 minutes.", StringComparison.Ordinal)
                ? ScriptedReply.Route("timer", 0.9, """{"duration": "15m"}""")
                : ScriptedReply.Status(400, "the router did not see the conversation"));
        second.Server.Enqueue(
            ScriptedReply.Text("Which timer? I see only the bread one; set it to 15 minutes."));

        var reply = await second.AskAsync("make it 15 minutes");

        Assert.True(reply.Success, reply.Text);
        var role = second.Server.Requests[1];
        Assert.Equal(
            ["remind me in ten minutes to take the bread out", "Timer for the bread set to 10 minutes.", "make it 15 minutes"],
            role.Messages.Where(m => m.Role is "user" or "assistant").Select(m => m.Content));
    }

    [Fact]
    public async Task History_is_per_user_and_channel_and_bounded()
    {
        await using var agents = await AgentHarness.StartAsync(configure: llm => llm with { Conversation = new() { MaxTurns = 2 } });
        agents.Server.Fallback = request => request.Tools.Count == 0 ? ScriptedReply.Route("timer", 0.9) : ScriptedReply.Text($"answer to {request.LastUser}");
        foreach (var text in new[] { "one", "two", "three" })
        {
            Assert.True((await agents.AskAsync(text)).Success);
        }

        var stored = await agents.Runtime.Loop.InvokeAsync(() => agents.Runtime.Agents!.Conversations.RecentAsync("tester", "console", CancellationToken.None));
        Assert.Equal(["two", "three"], stored.Select(t => t.Request));
        Assert.Empty(await agents.Runtime.Loop.InvokeAsync(() => agents.Runtime.Agents!.Conversations.RecentAsync("someone else", "console", CancellationToken.None)));
    }
}
