namespace AgentPlugins.Tests.Agents;

public sealed class ToolCallTests
{
    [Fact]
    public async Task An_unknown_tool_name_from_the_model_is_answered_with_an_error_and_the_model_goes_on()
    {
        await using var agents = await AgentHarness.StartAsync();
        agents.Server.Enqueue(
            ScriptedReply.Route("timer", 0.9),
            ScriptedReply.Call("timer-launch_rockets", """{"count": 3}"""),
            ScriptedReply.Text("I have no such tool."));

        var reply = await agents.AskAsync("launch three rockets");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("I have no such tool.", reply.Text);
        Assert.StartsWith("Error:", Assert.Single(agents.Server.Requests[2].ToolResults), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_that_throws_tells_the_model_and_reports_an_error_intent()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["probe.cs"] = TestRoles.Probe });
        agents.Server.Enqueue(
            ScriptedReply.Route("probe", 0.9),
            ScriptedReply.Call("probe-explode"),
            ScriptedReply.Text("The tool failed, sorry."));

        var reply = await agents.AskAsync("blow it up");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("Error: the tool explode failed: InvalidOperationException: boom", Assert.Single(agents.Server.Requests[2].ToolResults));
        await WaitUntilAsync(() => agents.Runtime.Intents.Stats.Errors >= 1);
    }

    [Fact]
    public async Task A_tool_result_that_fails_is_shown_to_the_model_as_an_error()
    {
        await using var agents = await AgentHarness.StartAsync();
        agents.Server.Enqueue(
            ScriptedReply.Route("timer", 0.9),
            ScriptedReply.Call("timer-set_timer", """{"duration": "soon"}"""),
            ScriptedReply.Text("How long?"));

        var reply = await agents.AskAsync("set a timer soon");

        Assert.True(reply.Success, reply.Text);
        Assert.StartsWith("Error: 'soon' is not a duration", Assert.Single(agents.Server.Requests[2].ToolResults), StringComparison.Ordinal);
        Assert.Empty(await agents.Runtime.Timers.ListAsync("tester", "console"));
    }

    [Fact]
    public async Task A_model_that_keeps_calling_tools_is_stopped_at_the_round_limit()
    {
        await using var agents = await AgentHarness.StartAsync(configure: llm => llm with { Routing = llm.Routing with { MaxToolRounds = 2 } });
        agents.Server.Enqueue(ScriptedReply.Route("timer", 0.9));
        agents.Server.Fallback = _ => ScriptedReply.Call("timer-list_timers");

        var reply = await agents.AskAsync("list my timers forever");

        Assert.False(reply.Success);
        Assert.Equal("Role 'timer' kept calling tools; stopped after 2 rounds (llm:routing:maxToolRounds).", reply.Text);
        Assert.Equal(4, agents.Server.Requests.Count);
    }

    [Fact]
    public async Task A_reload_between_two_requests_changes_the_tools_the_second_one_sees()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["switch.cs"] = TestRoles.Switch("alpha") });
        agents.Server.Enqueue(ScriptedReply.Route("switch", 0.9), ScriptedReply.Call("switch-alpha"), ScriptedReply.Text("first"));
        Assert.Equal("first", (await agents.AskAsync("flip it")).Text);

        var path = Path.Combine(agents.Test.RolesFolder, "switch.cs");
        await File.WriteAllTextAsync(path, TestRoles.Switch("beta"));
        Assert.Empty(await agents.Runtime.LoadFileAsync(path));

        agents.Server.Enqueue(ScriptedReply.Route("switch", 0.9), ScriptedReply.Call("switch-beta"), ScriptedReply.Text("second"));
        Assert.Equal("second", (await agents.AskAsync("flip it again")).Text);

        var requests = agents.Server.Requests;
        Assert.Equal(["switch-alpha"], requests[1].Tools);
        Assert.Equal(["flipped by alpha"], requests[2].ToolResults);
        Assert.Equal(["switch-beta"], requests[4].Tools);
        Assert.Equal(["flipped by beta"], requests[5].ToolResults);
    }

    [Fact]
    public async Task A_request_in_flight_keeps_the_tools_it_started_with_across_a_reload()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["switch.cs"] = TestRoles.Switch("alpha") });
        using var gate = new SemaphoreSlim(0);
        agents.Server.Enqueue(ScriptedReply.Route("switch", 0.9), ScriptedReply.Call("switch-alpha") with { Gate = gate }, ScriptedReply.Text("done"));

        var request = agents.AskAsync("flip it");
        await WaitUntilAsync(() => agents.Server.Requests.Count == 2);
        var path = Path.Combine(agents.Test.RolesFolder, "switch.cs");
        await File.WriteAllTextAsync(path, TestRoles.Switch("beta"));
        Assert.Empty(await agents.Runtime.LoadFileAsync(path));
        gate.Release();

        Assert.Equal("done", (await request).Text);
        Assert.Equal(["flipped by alpha"], agents.Server.Requests[2].ToolResults);
        Assert.Equal(["switch-beta"], (await agents.Runtime.Loop.InvokeAsync(() => Task.FromResult(agents.Runtime.Roles.Tools["switch"].Select(f => $"switch-{f.Name}").ToList()))));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not become true within 10 s.");
            await Task.Delay(10);
        }
    }
}
