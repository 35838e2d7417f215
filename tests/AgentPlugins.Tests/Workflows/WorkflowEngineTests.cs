using AgentPlugins.Host.Requests;
using AgentPlugins.Host.Workflows;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Workflows;

public sealed class WorkflowEngineTests
{
    private const string Tools = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class MathRole : IRole
        {
            public RoleConfig Config { get; } = new("math", "1.0.0", "Arithmetic", WhenToUse: "tests");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("add"), Description("Add two numbers")]
            public ToolResult Add([Description("a")] int a, [Description("b")] int b = 1) =>
                ToolResult.Ok($"{a + b}", new AuditIntent("add", $"{a}+{b}"));

            [KernelFunction("divide"), Description("Divide")]
            public ToolResult Divide([Description("a")] int a, [Description("b")] int b) => ToolResult.Ok($"{a / b}");

            [KernelFunction("wait"), Description("Answer after a pause")]
            public async Task<ToolResult> Wait([Description("ms")] int ms)
            {
                await Task.Delay(ms);
                return ToolResult.Ok($"waited on thread {Environment.CurrentManagedThreadId}");
            }
        }
        """;

    [Fact]
    public async Task A_direct_command_runs_the_tool_with_sk_argument_binding_and_processes_its_intents()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["math.cs"] = Tools }).StartAsync();

        var reply = await test.AskAsync("/math add 2 b=40");

        Assert.Equal(new Reply(true, "42"), reply);
        await WaitFor(() => test.Audit.ReadLatest(1).Any(r => r.Action == "add" && r.Details == "2+40" && r.Producer == "math"));
    }

    [Fact]
    public async Task Optional_parameters_take_their_defaults_and_snake_case_or_method_names_both_work()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["math.cs"] = Tools }).StartAsync();

        Assert.Equal("8", (await test.AskAsync("/math add 7")).Text);
        Assert.Equal("8", (await test.AskAsync("/MATH Add 7")).Text);
    }

    [Theory]
    [InlineData("/math ADD 7", true)]
    [InlineData("/math _add_ 7", true)]
    [InlineData("/math ad 7", false)]
    [InlineData("/math adds 7", false)]
    [InlineData("/math add_x 7", false)]
    public async Task A_tool_name_matches_in_any_case_and_without_underscores_but_not_as_a_prefix(string text, bool found)
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["math.cs"] = Tools }).StartAsync();

        var reply = await test.AskAsync(text);

        Assert.Equal(found ? "8" : $"Role 'math' has no tool '{text.Split(' ')[1]}'. Its tools: add, divide, wait.", reply.Text);
    }

    [Fact]
    public async Task An_async_tool_resumes_on_the_loop()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["math.cs"] = Tools }).StartAsync();

        var reply = await test.AskAsync("/math wait 10");

        Assert.Equal($"waited on thread {test.Loop.ThreadId}", reply.Text);
    }

    [Theory]
    [InlineData("/nope add 1", "Unknown role 'nope'. Roles: math.")]
    [InlineData("/math multiply 1", "Role 'math' has no tool 'multiply'. Its tools: add, divide, wait.")]
    [InlineData("/math add", "Missing argument 'a'. Usage: /math add <a> [b]")]
    [InlineData("/math add 1 2 3", "add takes 2 argument(s) but got 3")]
    [InlineData("/math add 1 c=2", "add has no parameter 'c'.")]
    [InlineData("/math add \"1", "Unclosed \" quote")]
    [InlineData("/math add one", "Tool math/add failed")]
    [InlineData("/math divide 1 0", "Tool math/divide failed: DivideByZeroException")]
    public async Task Bad_commands_get_a_clear_reply_and_the_host_goes_on(string text, string expected)
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["math.cs"] = Tools }).StartAsync();

        var reply = await test.AskAsync(text);

        Assert.False(reply.Success);
        Assert.Contains(expected, reply.Text, StringComparison.Ordinal);
        Assert.Equal("3", (await test.AskAsync("/math add 1 2")).Text);
    }

    [Fact]
    public async Task Free_text_gets_a_clear_reply_that_no_model_is_configured()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["math.cs"] = Tools }).StartAsync();

        var reply = await test.AskAsync("what is two plus two?");

        Assert.Equal(new Reply(false, WorkflowEngine.NoModelMessage), reply);
    }

    [Fact]
    public async Task Help_lists_every_role_and_tool_with_usage()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["math.cs"] = Tools }).StartAsync();

        var reply = await test.AskAsync("/help");

        Assert.Contains("/math add <a> [b]  - Add two numbers", reply.Text, StringComparison.Ordinal);
        Assert.Contains("/math divide <a> <b>", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_timer_role_sets_a_timer_that_expires_and_notifies_with_a_follow_up_workflow()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string>
        {
            ["timer.cs"] = File.ReadAllText(Repository.SampleRole("timer.cs")),
            ["math.cs"] = Tools,
        }).StartAsync();

        var reply = await test.AskAsync("/timer set_timer 1s tea followUp=\"/math add 20 22\"");

        Assert.Equal("Setting a 1 second timer for 'tea'.", reply.Text);
        await test.Console.WaitForAsync(m => m.Text.StartsWith("Timer 'tea' set (", StringComparison.Ordinal));
        var done = await test.Console.WaitForAsync(m => m.Text.StartsWith("Timer 'tea' is done", StringComparison.Ordinal));
        Assert.Equal((Priority.High, "tester"), (done.Priority, done.User));
        await test.Console.WaitForAsync(m => m.Text == "42");
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}
