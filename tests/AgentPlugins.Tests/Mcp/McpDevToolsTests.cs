using System.Net;
using System.Text.Json;
using AgentPlugins.Tests.FrontDoor;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Mcp;

/// <summary><c>/mcp/dev</c>: the development tools a coding agent uses while writing roles, over the official client.</summary>
public sealed class McpDevToolsTests : IDisposable
{
    private const string Token = "dev-test-token";
    private const string Boom = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class BoomRole : IRole
        {
            public RoleConfig Config { get; } = new(
                Name: "boom",
                Version: "1.0.0",
                Description: "Fails on purpose",
                WhenToUse: "Never; it shows how a failing tool is reported");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("explode"), Description("Fail with an error")]
            public ToolResult Explode([Description("What the error says")] string why) =>
                throw new InvalidOperationException("boom: " + why);
        }
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Is_off_unless_enabled()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder));

        using var response = await host.Client.PostAsync("/mcp/dev", Initialize());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Refuses_a_client_without_the_token_or_with_a_wrong_one_even_on_loopback()
    {
        await using var host = await StartAsync("AP_MCP_DEV_REFUSE");
        using var anonymous = new HttpClient { BaseAddress = host.Address };

        using var response = await anonymous.PostAsync("/mcp/dev", Initialize());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => McpClients.ConnectAsync(host.Address, "/mcp/dev", "not-the-token"));
    }

    [Fact]
    public async Task Offers_the_five_development_tools_and_none_of_the_roles()
    {
        await using var host = await StartAsync("AP_MCP_DEV_LIST");
        await using var client = await McpClients.ConnectAsync(host.Address, "/mcp/dev", Token);

        var tools = await client.ListToolsAsync();

        Assert.Equal(["call_tool", "recent_errors", "role_status", "rule_docs", "validate_role"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(tools, t => Assert.False(string.IsNullOrWhiteSpace(t.Description)));
        Assert.Equal(["source"], tools.Single(t => t.Name == "validate_role").JsonSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Validate_role_on_a_broken_source_answers_the_line_and_code_as_host_validate_does()
    {
        await using var host = await StartAsync("AP_MCP_DEV_VALIDATE");
        await using var client = await McpClients.ConnectAsync(host.Address, "/mcp/dev", Token);
        var source = File.ReadAllText(Repository.SampleRole("timer.cs")).Replace("role.Tools(this);", "role.Tools(this)", StringComparison.Ordinal);

        var result = await client.CallToolAsync("validate_role", new Dictionary<string, object?> { ["source"] = source, ["path"] = "timer.cs" });

        Assert.NotEqual(true, result.IsError);
        var report = JsonDocument.Parse(McpRoleToolsTests.Text(result)).RootElement;
        var line = source[..source.IndexOf("role.Tools(this)", StringComparison.Ordinal)].Count(c => c == '\n') + 1;
        var diagnostic = Diagnostics(report).First(d => d.GetProperty("code").GetString() == "CS1002");
        Assert.Equal("timer.cs", diagnostic.GetProperty("file").GetString());
        Assert.Equal(line, diagnostic.GetProperty("line").GetInt32());
        Assert.Equal("error", diagnostic.GetProperty("severity").GetString());

        var good = await client.CallToolAsync("validate_role", new Dictionary<string, object?> { ["source"] = File.ReadAllText(Repository.SampleRole("timer.cs")), ["path"] = "timer.cs" });
        Assert.DoesNotContain(Diagnostics(JsonDocument.Parse(McpRoleToolsTests.Text(good)).RootElement), d => d.GetProperty("severity").GetString() == "error");

        var badName = await client.CallToolAsync("validate_role", new Dictionary<string, object?> { ["source"] = source, ["path"] = "../timer.cs" });
        Assert.True(badName.IsError);
        Assert.Contains("without folders", McpRoleToolsTests.Text(badName), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Role_status_call_tool_recent_errors_follow_a_failing_tool_to_its_file_and_line()
    {
        _folder.Write("roles/boom.cs", Boom);
        await using var host = await StartAsync("AP_MCP_DEV_LOOP");
        await using var client = await McpClients.ConnectAsync(host.Address, "/mcp/dev", Token);

        var status = JsonDocument.Parse(McpRoleToolsTests.Text(await client.CallToolAsync("role_status", new Dictionary<string, object?>()))).RootElement;
        var roles = status.GetProperty("roles").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => r);
        Assert.Equal("active", roles["timer"].GetProperty("state").GetString());
        Assert.Equal(1, roles["boom"].GetProperty("generation").GetInt32());

        var set = await client.CallToolAsync("call_tool", new Dictionary<string, object?> { ["role"] = "timer", ["tool"] = "set_timer", ["arguments"] = new Dictionary<string, object?> { ["duration"] = "5m", ["label"] = "tea" } });
        Assert.NotEqual(true, set.IsError);
        Assert.Equal("Setting a 5 minute timer for 'tea'.", McpRoleToolsTests.Text(set));

        var failed = await client.CallToolAsync("call_tool", new Dictionary<string, object?> { ["role"] = "boom", ["tool"] = "explode", ["arguments"] = new Dictionary<string, object?> { ["why"] = "on purpose" } });
        Assert.True(failed.IsError);
        Assert.Contains("boom: on purpose", McpRoleToolsTests.Text(failed), StringComparison.Ordinal);

        // The error is recorded by the audit log's writer, shortly after the call.
        var throwLine = Boom.Split('\n').Select((text, i) => (text, i)).First(l => l.text.Contains("throw new", StringComparison.Ordinal)).i + 1;
        JsonElement error = default;
        for (var attempt = 0; attempt < 100 && error.ValueKind == JsonValueKind.Undefined; attempt++)
        {
            var errors = JsonDocument.Parse(McpRoleToolsTests.Text(await client.CallToolAsync("recent_errors", new Dictionary<string, object?> { ["count"] = 5 }))).RootElement;
            error = errors.EnumerateArray().FirstOrDefault(e => e.GetProperty("source").GetString() == "boom/explode");
            await Task.Delay(error.ValueKind == JsonValueKind.Undefined ? 100 : 0);
        }

        Assert.Equal(JsonValueKind.Object, error.ValueKind);
        Assert.Contains("boom: on purpose", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("boom.cs", error.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Equal(throwLine, error.GetProperty("line").GetInt32());
        Assert.Equal(McpClients.UserOf(Token), error.GetProperty("user").GetString());

        // Newest first: a second failure comes before the first.
        await client.CallToolAsync("call_tool", new Dictionary<string, object?> { ["role"] = "boom", ["tool"] = "explode", ["arguments"] = new Dictionary<string, object?> { ["why"] = "again" } });
        var latest = string.Empty;
        for (var attempt = 0; attempt < 100 && !latest.Contains("again", StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 100);
            latest = JsonDocument.Parse(McpRoleToolsTests.Text(await client.CallToolAsync("recent_errors", new Dictionary<string, object?> { ["count"] = 1 }))).RootElement[0].GetProperty("message").GetString()!;
        }

        Assert.Contains("boom: again", latest, StringComparison.Ordinal);

        var unknown = await client.CallToolAsync("call_tool", new Dictionary<string, object?> { ["role"] = "nobody", ["tool"] = "x" });
        Assert.True(unknown.IsError);
        Assert.Contains("'nobody' does not serve", McpRoleToolsTests.Text(unknown), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rule_docs_answers_one_rules_section_and_names_the_rules_for_an_unknown_one()
    {
        await using var host = await StartAsync("AP_MCP_DEV_RULES");
        await using var client = await McpClients.ConnectAsync(host.Address, "/mcp/dev", Token);

        var section = McpRoleToolsTests.Text(await client.CallToolAsync("rule_docs", new Dictionary<string, object?> { ["rule"] = "ap0101" }));

        Assert.StartsWith("### AP0101: No work off the loop", section, StringComparison.Ordinal);
        Assert.DoesNotContain("AP0102:", section, StringComparison.Ordinal);
        var unknown = await client.CallToolAsync("rule_docs", new Dictionary<string, object?> { ["rule"] = "AP9999" });
        Assert.True(unknown.IsError);
        Assert.Contains("AP0101", McpRoleToolsTests.Text(unknown), StringComparison.Ordinal);
    }

    private static IEnumerable<JsonElement> Diagnostics(JsonElement report) =>
        report.ValueKind == JsonValueKind.Array
            ? report.EnumerateArray()
            : report.GetProperty("files").EnumerateArray().SelectMany(f => f.GetProperty("diagnostics").EnumerateArray());

    private Task<FrontDoorHost> StartAsync(string tokenVariable) =>
        FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder, http => http with { Mcp = http.Mcp with { Dev = true } }), Token, tokenVariable);

    private static StringContent Initialize() => new(
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}""",
        System.Text.Encoding.UTF8,
        "application/json");
}
