using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Agents;

/// <summary>
/// A tool that declares a <c>ToolContext</c> parameter gets its role's context on every call path,
/// and the parameter is never part of what the model or a user fills.
/// </summary>
public sealed class ToolContextTests
{
    private const string Reader = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class ReaderRole : IRole
        {
            public RoleConfig Config { get; } = new("reader", "1.0.0", "Reads who asks", Llm: LlmTier.Default, FastReply: true, WhenToUse: "Questions about who asks");

            public void Register(RoleBuilder role) => role.Prompt("You are the reader.").Tools(this);

            [KernelFunction("whoami"), Description("Says who asks and the greeting setting")]
            public ToolResult WhoAmI([Description("A word to start with, e.g. hey")] string prefix, ToolContext context) =>
                ToolResult.Ok($"{prefix} {context.Origin.User} on {context.Origin.Channel}, role {context.Role}, greeting {context.Settings["greeting"]}");

            [KernelFunction("clock"), Description("Says whether the call can still run")]
            public ToolResult Clock(ToolContext context) =>
                ToolResult.Ok($"cancelled={context.Cancellation.IsCancellationRequested} at={context.Clock.GetUtcNow().Year}");
        }
        """;

    private static Func<AgentPluginsOptions, AgentPluginsOptions> Greeting(string greeting) => options => options with
    {
        Roles = options.Roles with { Settings = new(StringComparer.Ordinal) { ["reader"] = new() { ["greeting"] = greeting } } },
    };

    [Fact]
    public async Task A_tool_called_by_the_model_reads_its_origin_and_settings_through_its_ToolContext()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["reader.cs"] = Reader }, options: Greeting("hello"));
        agents.Server.Enqueue(
            ScriptedReply.Route("reader", 0.9),
            ScriptedReply.Call("reader-whoami", """{"prefix": "hey"}"""),
            ScriptedReply.Text("done"));

        var reply = await agents.AskAsync("who am I?");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("hey tester on console, role reader, greeting hello", Assert.Single(agents.Server.Requests[2].ToolResults));
    }

    [Fact]
    public async Task The_model_never_sees_the_ToolContext_parameter_neither_in_the_schema_nor_in_the_call_sent_back()
    {
        await using var agents = await AgentHarness.StartAsync(new Dictionary<string, string> { ["reader.cs"] = Reader }, options: Greeting("hello"));
        agents.Server.Enqueue(
            ScriptedReply.Route("reader", 0.9),
            ScriptedReply.Call("reader-whoami", """{"prefix": "hey"}"""),
            ScriptedReply.Text("done"));

        await agents.AskAsync("who am I?");

        var offered = agents.Server.Requests[1];
        Assert.Contains("\"prefix\"", offered.ToolSchemas["reader-whoami"], StringComparison.Ordinal);
        Assert.DoesNotContain("context", offered.ToolSchemas["reader-whoami"], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("context", offered.ToolSchemas["reader-clock"], StringComparison.OrdinalIgnoreCase);

        // The second request repeats the tool call: its arguments are the model's own, nothing the host bound.
        var answered = agents.Server.Requests[2];
        Assert.DoesNotContain("\\u0022context\\u0022", answered.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("\\\"context\\\"", answered.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Settings", answered.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_direct_command_fills_the_ToolContext_and_its_usage_does_not_list_it()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["reader.cs"] = Reader }, configure: Greeting("salut")).StartAsync();
        Assert.Empty(test.StartupFailures);

        var reply = await test.AskAsync("/reader whoami hey");
        Assert.True(reply.Success, reply.Text);
        Assert.Equal("hey tester on console, role reader, greeting salut", reply.Text);

        var clock = await test.AskAsync("/reader clock");
        Assert.True(clock.Success, clock.Text);
        Assert.StartsWith("cancelled=False at=", clock.Text, StringComparison.Ordinal);

        var usage = await test.AskAsync("/reader");
        Assert.Contains("/reader whoami <prefix>", usage.Text, StringComparison.Ordinal);
        Assert.Contains("/reader clock ", usage.Text + " ", StringComparison.Ordinal);
        Assert.DoesNotContain("context", usage.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_cannot_fill_the_ToolContext_by_name()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["reader.cs"] = Reader }, configure: Greeting("salut")).StartAsync();

        var reply = await test.AskAsync("/reader whoami hey context=forged");

        Assert.False(reply.Success);
        Assert.StartsWith("whoami has no parameter 'context'.", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_without_settings_gets_empty_settings_not_a_failure()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["reader.cs"] = Reader }).StartAsync();

        var reply = await test.AskAsync("/reader whoami hey");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("hey tester on console, role reader, greeting ", reply.Text);
    }

    [Fact]
    public async Task A_role_whose_tools_took_a_ToolContext_still_unloads_after_a_reload()
    {
        await using var test = await TestRuntime.StartAsync(
            new Dictionary<string, string> { ["reader.cs"] = Reader },
            roles => roles with { Watch = false, Unload = new UnloadVerifierOptions { Passes = 6, FirstDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(150) } });
        Assert.True((await test.AskAsync("/reader whoami hey")).Success);
        Assert.True((await test.AskAsync("/reader clock")).Success);

        Assert.Empty(await test.LoadSourceAsync(test.PathOf("reader.cs"), Reader + "\n// v2\n"));
        Assert.Equal("hey tester on console, role reader, greeting ", (await test.AskAsync("/reader whoami hey")).Text);

        Assert.True(await test.Unloads.WaitIdleAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, test.Unloads.Leaked);
        Assert.Equal(1, test.Unloads.Unloaded);
    }
}
