using AgentPlugins.Host.Requests;
using AgentPlugins.Sdk;

namespace AgentPlugins.Tests.Agents;

public sealed class RoutingTests
{
    [Fact]
    public async Task Free_text_is_routed_to_the_timer_whose_tool_runs_on_the_loop_and_whose_intents_are_processed()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["probe.cs"] = TestRoles.Probe });
        agents.Server.Enqueue(
            ScriptedReply.Route("timer", 0.95, """{"duration": "10m", "label": "bread"}"""),
            ScriptedReply.Call("timer-set_timer", """{"duration": "10m", "label": "bread"}"""),
            ScriptedReply.Text("I set a 10 minute timer for the bread."));

        var reply = await agents.AskAsync("remind me in ten minutes to take the bread out");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("I set a 10 minute timer for the bread.", reply.Text);
        await agents.Test.Console.WaitForAsync(m => m.Text == "I set a 10 minute timer for the bread.");

        // The CreateTimerIntent the tool returned was carried out by the timer role's handler.
        await agents.Test.Console.WaitForAsync(m => m.Text.StartsWith("Timer 'bread' set", StringComparison.Ordinal));
        var timers = await agents.Runtime.Timers.ListAsync("tester", "console");
        Assert.Equal("bread", Assert.Single(timers).Label);

        var requests = agents.Server.Requests;
        Assert.Equal(3, requests.Count);
        var (route, call, answer) = (requests[0], requests[1], requests[2]);
        Assert.Empty(route.Tools);
        Assert.Contains("timer: Timer and alarm management", route.System, StringComparison.Ordinal);
        Assert.Contains("remind me in ten minutes", route.LastUser, StringComparison.Ordinal);
        Assert.Contains("duration=10m", call.System, StringComparison.Ordinal);
        Assert.Equal(["Setting a 10 minute timer for 'bread'."], answer.ToolResults);
    }

    [Fact]
    public async Task Words_addressed_to_a_role_go_to_its_agent_without_the_router_and_its_tool_commands_run_directly()
    {
        await using var agents = await AgentHarness.StartAsync();
        agents.Server.Enqueue(
            ScriptedReply.Call("timer-set_timer", """{"duration": "5m", "label": "tea"}"""),
            ScriptedReply.Text("Your tea timer runs for 5 minutes."));
        var workflows = agents.Test.Workflows;

        var words = await workflows.SubmitAsync(new Request("a tea timer for five minutes please", "console", "tester") { Role = "timer" }, _ => Task.CompletedTask);
        var command = await workflows.SubmitAsync(new Request("list_timers", "console", "tester") { Role = "timer" }, _ => Task.CompletedTask);
        var elsewhere = await workflows.SubmitAsync(new Request("hello", "console", "tester") { Role = "nosuch" }, _ => Task.CompletedTask);

        Assert.True(words.Success, words.Text);
        Assert.Equal("Your tea timer runs for 5 minutes.", words.Text);
        var first = agents.Server.Requests[0];
        Assert.Equal(AgentHarness.WeakModel, first.Model);
        Assert.DoesNotContain("timer: Timer and alarm management", first.System, StringComparison.Ordinal);
        Assert.Contains("timer-set_timer", first.Tools);
        Assert.True(command.Success, command.Text);
        Assert.StartsWith("Listing your timers.", command.Text, StringComparison.Ordinal);
        Assert.Equal(2, agents.Server.Requests.Count);
        Assert.False(elsewhere.Success);
        Assert.Contains("Role 'nosuch' does not serve", elsewhere.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_routed_role_is_offered_only_its_own_tools_and_cannot_call_another_roles()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["probe.cs"] = TestRoles.Probe });
        agents.Server.Enqueue(
            ScriptedReply.Route("timer", 0.9),
            ScriptedReply.Call("probe-where_am_i"),
            ScriptedReply.Text("I cannot do that."));

        var reply = await agents.AskAsync("set a timer");

        Assert.True(reply.Success, reply.Text);
        var offered = agents.Server.Requests[1].Tools.Order(StringComparer.Ordinal);
        Assert.Equal(["timer-cancel_timer", "timer-list_timers", "timer-set_timer"], offered);
        var refused = Assert.Single(agents.Server.Requests[2].ToolResults);
        Assert.StartsWith("Error:", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("thread", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_tool_call_runs_on_the_loop_thread()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["probe.cs"] = TestRoles.Probe });
        agents.Server.Enqueue(
            ScriptedReply.Route("probe", 0.9),
            ScriptedReply.Call("probe-where_am_i"),
            ScriptedReply.Text("done"));

        var reply = await agents.AskAsync("where does the tool run?");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal([$"thread {agents.LoopThread}"], agents.Server.Requests[2].ToolResults);
    }

    [Fact]
    public async Task The_roles_tier_decides_the_model_requested()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["probe.cs"] = TestRoles.Probe, ["scholar.cs"] = TestRoles.Scholar });
        agents.Server.Enqueue(ScriptedReply.Route("scholar", 0.9), ScriptedReply.Text("deep answer"));
        agents.Server.Enqueue(ScriptedReply.Route("probe", 0.9), ScriptedReply.Text("probe answer"));
        agents.Server.Enqueue(ScriptedReply.Route("timer", 0.9), ScriptedReply.Text("timer answer"));

        Assert.Equal("deep answer", (await agents.AskAsync("explain monads")).Text);
        Assert.Equal("probe answer", (await agents.AskAsync("which thread?")).Text);
        Assert.Equal("timer answer", (await agents.AskAsync("list my timers")).Text);

        Assert.Equal(
            [AgentHarness.WeakModel, AgentHarness.StrongModel, AgentHarness.WeakModel, AgentHarness.DefaultModel, AgentHarness.WeakModel, AgentHarness.WeakModel],
            agents.Server.Requests.Select(r => r.Model));
    }

    [Fact]
    public async Task Low_confidence_runs_a_two_step_plan_in_order_passing_the_first_result_to_the_second()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["probe.cs"] = TestRoles.Probe });
        agents.Server.Enqueue(
            ScriptedReply.Route("timer", 0.4),
            ScriptedReply.Text("""
                {"steps": [
                  {"id": "2", "role": "timer", "instruction": "Set a timer as long as the probe said.", "dependsOn": ["1"]},
                  {"id": "1", "role": "probe", "instruction": "Say how long the bread needs."}
                ]}
                """),
            ScriptedReply.Text("The bread needs 25m."),
            ScriptedReply.Call("timer-set_timer", """{"duration": "25m", "label": "bread"}"""),
            ScriptedReply.Text("Timer set for 25 minutes."));

        var reply = await agents.AskAsync("bake bread and time it");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("The bread needs 25m.\nTimer set for 25 minutes.", reply.Text);
        var requests = agents.Server.Requests;
        Assert.Equal([AgentHarness.WeakModel, AgentHarness.StrongModel, AgentHarness.DefaultModel, AgentHarness.WeakModel, AgentHarness.WeakModel], requests.Select(r => r.Model));
        Assert.Contains("\"enum\": [\"probe\", \"timer\"]", requests[1].System, StringComparison.Ordinal);
        Assert.Equal("Say how long the bread needs.", requests[2].LastUser);
        Assert.StartsWith("Set a timer as long as the probe said.", requests[3].LastUser, StringComparison.Ordinal);
        Assert.Contains("[1] The bread needs 25m.", requests[3].LastUser, StringComparison.Ordinal);
        Assert.Equal(["probe-explode", "probe-where_am_i"], requests[2].Tools.Order(StringComparer.Ordinal));
        await agents.Test.Console.WaitForAsync(m => m.Text.StartsWith("Timer 'bread' set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Work_for_several_roles_goes_to_the_planner_even_when_the_router_is_sure()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["probe.cs"] = TestRoles.Probe });
        agents.Server.Enqueue(
            ScriptedReply.Route("plan", 0.95),
            ScriptedReply.Text("""{"steps": [{"id": "1", "role": "timer", "instruction": "List the timers."}, {"id": "2", "role": "probe", "instruction": "Check the host."}]}"""),
            ScriptedReply.Text("No timers."),
            ScriptedReply.Text("Host fine."));

        var reply = await agents.AskAsync("list my timers and check the host");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("No timers.\nHost fine.", reply.Text);
        Assert.Equal([AgentHarness.WeakModel, AgentHarness.StrongModel, AgentHarness.WeakModel, AgentHarness.DefaultModel], agents.Server.Requests.Select(r => r.Model));
        Assert.Equal("Check the host.", agents.Server.Requests[3].LastUser);
    }

    [Fact]
    public async Task Malformed_routing_json_is_retried_once_with_the_error()
    {
        await using var agents = await AgentHarness.StartAsync();
        agents.Server.Enqueue(
            ScriptedReply.Text("The timer role, I think."),
            ScriptedReply.Text("```json\n{\"route\": \"timer\", \"confidence\": 0.9}\n```"),
            ScriptedReply.Text("No timers running."));

        var reply = await agents.AskAsync("list my timers");

        Assert.True(reply.Success, reply.Text);
        var retry = agents.Server.Requests[1];
        Assert.Contains("The timer role, I think.", retry.AllText, StringComparison.Ordinal);
        Assert.Contains("does not match the schema: The answer is not valid JSON", retry.LastUser, StringComparison.Ordinal);
        Assert.Equal(AgentHarness.WeakModel, agents.Server.Requests[2].Model);
    }

    [Fact]
    public async Task Routing_json_malformed_twice_is_reported_and_runs_nothing()
    {
        await using var agents = await AgentHarness.StartAsync();
        agents.Server.Enqueue(
            ScriptedReply.Text("""{"route": "timer"}"""),
            ScriptedReply.Text("""{"route": "rockets", "confidence": 0.9}"""));

        var reply = await agents.AskAsync("launch the rockets");

        Assert.False(reply.Success);
        Assert.Contains("The router (router, llm:tiers:weak) answered with invalid JSON twice", reply.Text, StringComparison.Ordinal);
        Assert.Contains("'confidence' must be a number from 0 to 1", reply.Text, StringComparison.Ordinal);
        Assert.Contains("'route' is 'rockets', which is not one of: timer, plan", reply.Text, StringComparison.Ordinal);
        Assert.Equal(2, agents.Server.Requests.Count);
        Assert.True(agents.Runtime.Intents.Stats.Errors >= 1);
    }

    [Fact]
    public async Task A_plan_can_be_started_by_a_workflow_intent()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["probe.cs"] = TestRoles.Probe });
        agents.Server.Enqueue(
            ScriptedReply.Text("""{"steps": [{"id": "1", "role": "probe", "instruction": "Check the host."}]}"""),
            ScriptedReply.Text("The host is fine."));

        await agents.Runtime.Loop.InvokeAsync(() => agents.Runtime.Intents.Submit(
            new WorkflowIntent(WorkflowIntent.Plan, "check the host"),
            new Host.Intents.IntentOrigin("test", new EventContext("console", "tester", DateTimeOffset.UtcNow, "test"))));

        await agents.Test.Console.WaitForAsync(m => m.Text == "The host is fine.");
        Assert.Equal([AgentHarness.StrongModel, AgentHarness.DefaultModel], agents.Server.Requests.Select(r => r.Model));
    }
}
