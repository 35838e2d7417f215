using AgentPlugins.Tests.FrontDoor;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Mcp;

/// <summary>The published <c>bin/host run</c> serving MCP: its roles' tools and its development tools, rules' documentation included.</summary>
public sealed class McpHostProcessTests : IDisposable
{
    private const string Token = "host-process-mcp-token";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_real_host_serves_the_roles_tools_and_the_dev_tools_with_the_rules_built_in()
    {
        _folder.Write("roles/timer.cs", File.ReadAllText(Repository.SampleRole("timer.cs")));
        var config = _folder.Write("plugins.json", """{ "roles": { "folder": "roles" }, "storage": { "dataFolder": "data" }, "channels": { "console": { "enabled": false } }, "http": { "tokenVariable": "AP_MCP_HOST_TOKEN", "mcp": { "dev": true } } }""");
        await using var host = HostProcess.Start(_folder.Path, new Dictionary<string, string> { ["AP_MCP_HOST_TOKEN"] = Token }, "run", "--config", config);
        var address = await HostProcessHttpTests.AddressAsync(host);
        using (var probe = new HttpClient { BaseAddress = address })
        {
            await HostProcessHttpTests.WaitReadyAsync(probe);
        }

        await using (var roles = await McpClients.ConnectAsync(address, "/mcp", Token))
        {
            Assert.Contains(await roles.ListToolsAsync(), t => t.Name == "timer-set_timer");
            var set = await roles.CallToolAsync("timer-set_timer", new Dictionary<string, object?> { ["duration"] = "1h", ["label"] = "bread" });
            Assert.Equal("Setting a 1:00:00 timer for 'bread'.", McpRoleToolsTests.Text(set));
        }

        await using (var dev = await McpClients.ConnectAsync(address, "/mcp/dev", Token))
        {
            var section = McpRoleToolsTests.Text(await dev.CallToolAsync("rule_docs", new Dictionary<string, object?> { ["rule"] = "AP0206" }));
            Assert.StartsWith("### AP0206:", section, StringComparison.Ordinal);
        }

        Assert.Equal(0, await host.TerminateAsync(Patience));
    }
}
