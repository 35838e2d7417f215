using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.FrontDoor;
using AgentPlugins.Tests.Support;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace AgentPlugins.Tests.Mcp;

/// <summary>
/// <c>/mcp</c>: the serving roles' tools for any MCP client, through the official C# client over real
/// Kestrel, with the host composed as <c>host run</c> composes it.
/// </summary>
public sealed class McpRoleToolsTests : IDisposable
{
    private const string Token = "mcp-test-token";
    private const string Echo = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class EchoRole : IRole
        {
            public RoleConfig Config { get; } = new(
                Name: "echo",
                Version: "1.0.0",
                Description: "Says things back",
                WhenToUse: "The user wants to hear something said back");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("say"), Description("Say the given text back, times times")]
            public ToolResult Say([Description("What to say")] string text, [Description("How many times")] int times = 1) =>
                ToolResult.Ok(string.Join(" ", Enumerable.Repeat(text, times)));
        }
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Lists_the_timer_roles_tools_named_as_the_model_sees_them_with_descriptions_and_schemas()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder), Token, "AP_MCP_TOKEN_LIST");
        await using var client = await McpClients.ConnectAsync(host.Address, "/mcp", Token);

        var tools = await client.ListToolsAsync();

        Assert.Equal(["timer-cancel_timer", "timer-list_timers", "timer-set_timer"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var set = tools.Single(t => t.Name == "timer-set_timer");
        Assert.StartsWith("Set a timer", set.Description, StringComparison.Ordinal);
        var schema = set.JsonSchema;
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.Equal(["duration", "followUp", "label"], schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("string", schema.GetProperty("properties").GetProperty("duration").GetProperty("type").GetString());
        Assert.Contains("90s", schema.GetProperty("properties").GetProperty("duration").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(["duration"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.True(client.ServerCapabilities.Tools?.ListChanged);
    }

    [Fact]
    public async Task Calling_set_timer_answers_the_tools_message_and_the_timer_fires_for_the_tokens_user()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder), Token, "AP_MCP_TOKEN_CALL");
        var user = McpClients.UserOf(Token);
        await using var events = await SseReader.OpenAsync(host.Client, $"/api/events?user={user}");
        await using var client = await McpClients.ConnectAsync(host.Address, "/mcp", Token);

        var result = await client.CallToolAsync("timer-set_timer", new Dictionary<string, object?> { ["duration"] = "1s", ["label"] = "tea" });

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("Setting a 1 second timer for 'tea'.", Text(result));
        // The intent ran for the caller: scheduled (a notification says so), then the timer fired.
        var set = await events.WaitForAsync(e => e.Type == "notification" && e.Text.Contains("set", StringComparison.Ordinal));
        Assert.Contains("'tea'", set.Text, StringComparison.Ordinal);
        var done = await events.WaitForAsync(e => e.Type == "notification" && e.Text.Contains("is done", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("Timer 'tea' is done", done.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_refusing_or_bad_arguments_are_tool_errors_with_their_cause()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder));
        await using var client = await McpClients.ConnectAsync(host.Address, "/mcp");

        var refused = await client.CallToolAsync("timer-set_timer", new Dictionary<string, object?> { ["duration"] = "soonish" });
        Assert.True(refused.IsError);
        Assert.Contains("soonish", Text(refused), StringComparison.Ordinal);

        var missing = await client.CallToolAsync("timer-set_timer", new Dictionary<string, object?> { ["label"] = "tea" });
        Assert.True(missing.IsError);
        Assert.Contains("Missing argument 'duration'", Text(missing), StringComparison.Ordinal);

        var unknown = await client.CallToolAsync("timer-set_timer", new Dictionary<string, object?> { ["duration"] = "5m", ["colour"] = "red" });
        Assert.True(unknown.IsError);
        Assert.Contains("no parameter 'colour'", Text(unknown), StringComparison.Ordinal);

        var noSuchTool = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.CallToolAsync("timer-boil_egg", new Dictionary<string, object?>()));
        Assert.Contains("timer-boil_egg", noSuchTool.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_file_added_while_connected_sends_list_changed_and_its_tool_is_called_with_typed_arguments()
    {
        var options = FrontDoorHost.Options(_folder);
        options = options with { Roles = options.Roles with { Watch = true } };
        await using var host = await FrontDoorHost.StartAsync(options);
        await using var client = await McpClients.ConnectAsync(host.Address, "/mcp");
        Assert.DoesNotContain(await client.ListToolsAsync(), t => t.Name == "echo-say");
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var handler = client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
        {
            changed.TrySetResult();
            return ValueTask.CompletedTask;
        });

        _folder.Write("roles/echo.cs", Echo);

        await changed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var tools = await client.ListToolsAsync();
        Assert.Contains(tools, t => t.Name == "echo-say");
        Assert.Equal("integer", tools.Single(t => t.Name == "echo-say").JsonSchema.GetProperty("properties").GetProperty("times").GetProperty("type").GetString());
        var result = await client.CallToolAsync("echo-say", new Dictionary<string, object?> { ["text"] = "hi", ["times"] = 3 });
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("hi hi hi", Text(result));
    }

    [Fact]
    public async Task A_quarantined_roles_tools_vanish_and_a_call_already_listed_says_why()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder));
        await using var client = await McpClients.ConnectAsync(host.Address, "/mcp");
        Assert.Contains(await client.ListToolsAsync(), t => t.Name == "timer-set_timer");
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var handler = client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
        {
            changed.TrySetResult();
            return ValueTask.CompletedTask;
        });

        Assert.NotNull(host.Roles.Quarantine("timer", "Held the loop for 2 s in set_timer.").Generation);

        await changed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(await client.ListToolsAsync(), t => t.Name.StartsWith("timer-", StringComparison.Ordinal));
        Assert.Equal(RoleState.Quarantined, host.Roles.Status.Single(s => s.Name == "timer").State);
    }

    [Fact]
    public async Task Without_the_token_the_endpoint_refuses_and_with_a_wrong_one_too()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder), Token, "AP_MCP_TOKEN_REFUSE");

        await Assert.ThrowsAnyAsync<Exception>(() => McpClients.ConnectAsync(host.Address, "/mcp"));
        await Assert.ThrowsAnyAsync<Exception>(() => McpClients.ConnectAsync(host.Address, "/mcp", "wrong-token"));
        using var anonymous = new HttpClient { BaseAddress = host.Address };
        using var post = await anonymous.PostAsync("/mcp", new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, post.StatusCode);
    }

    internal static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
}
