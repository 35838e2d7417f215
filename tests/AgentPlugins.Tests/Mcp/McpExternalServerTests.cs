using System.ComponentModel;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AgentPlugins.Host.Audit;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.FrontDoor;
using AgentPlugins.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace AgentPlugins.Tests.Mcp;

/// <summary>
/// plugins.json <c>mcp:servers</c>: a role lists an external MCP server's tools with
/// <c>role.McpTools</c> and gets them as its own, called through the host's tool paths.
/// The servers are real: one over Streamable HTTP in this process, one a stdio program built here.
/// </summary>
public sealed class McpExternalServerTests : IDisposable
{
    private const string Weather = """
        using AgentPlugins.Sdk;

        public sealed class WeatherRole : IRole
        {
            public RoleConfig Config { get; } = new(
                Name: "weather",
                Version: "1.0.0",
                Description: "Weather forecasts from the forecasts server",
                WhenToUse: "The user asks about the weather");

            public void Register(RoleBuilder role) => role.McpTools("forecasts", TOOLS);
        }
        """;

    private const string StdioServer = """
        #:package ModelContextProtocol@2.4.0
        #:package Microsoft.Extensions.Hosting@10.0.15
        using System.ComponentModel;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;
        using Microsoft.Extensions.Logging;
        using ModelContextProtocol.Server;

        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.ClearProviders();
        builder.Services.AddMcpServer().WithStdioServerTransport().WithTools<Shout>();
        await builder.Build().RunAsync();

        [McpServerToolType]
        public sealed class Shout
        {
            [McpServerTool(Name = "shout"), Description("Say a word loudly")]
            public string Loud([Description("The word")] string word) => word.ToUpperInvariant() + "!";
        }
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_role_gets_an_http_servers_tools_with_their_schemas_and_calls_them_like_its_own()
    {
        await using var server = await ForecastServer.StartAsync();
        _folder.Write("roles/weather.cs", Weather.Replace("TOOLS", "\"forecast\", \"broken\"", StringComparison.Ordinal));
        await using var host = await FrontDoorHost.StartAsync(WithServer(new McpServerEntry { Name = "forecasts", Url = new Uri(server.Address, "/mcp").ToString() }));

        var answer = await (await host.Client.PostAsJsonAsync("/api/requests", new { text = "/weather forecast Oslo 3", user = "ann" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(answer.GetProperty("success").GetBoolean(), answer.ToString());
        Assert.Equal("Oslo: sunny for 3 day(s)", answer.GetProperty("reply").GetString());

        // The model (and any MCP client of this host) sees the server's description and schema under the role's name.
        await using var client = await McpClients.ConnectAsync(host.Address, "/mcp");
        var forecast = (await client.ListToolsAsync()).Single(t => t.Name == "weather-forecast");
        Assert.Equal("Forecast for a city", forecast.Description);
        Assert.Equal("integer", forecast.JsonSchema.GetProperty("properties").GetProperty("days").GetProperty("type").GetString());
        var viaMcp = await client.CallToolAsync("weather-forecast", new Dictionary<string, object?> { ["city"] = "Rome", ["days"] = 2 });
        Assert.Equal("Rome: sunny for 2 day(s)", McpRoleToolsTests.Text(viaMcp));

        // The server's isError is the tool's refusal; every call is audited.
        var broken = await (await host.Client.PostAsJsonAsync("/api/requests", new { text = "/weather broken", user = "ann" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(broken.GetProperty("success").GetBoolean());
        Assert.Contains("station is down", broken.GetProperty("reply").GetString(), StringComparison.Ordinal);
        var audit = host.Services.GetRequiredService<AuditLog>();
        var watch = Stopwatch.StartNew();
        while (audit.ReadLatest(50).Count(r => r.Action == "mcp_call") < 3 && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        Assert.Equal(["forecasts/forecast: ok", "forecasts/forecast: ok", "forecasts/broken: error"], audit.ReadLatest(50).Where(r => r.Action == "mcp_call").Select(r => r.Details));
    }

    [Fact]
    public async Task A_tool_the_server_lacks_or_an_unknown_server_fails_the_roles_load_naming_what_is_there()
    {
        await using var server = await ForecastServer.StartAsync();
        _folder.Write("roles/weather.cs", Weather.Replace("TOOLS", "\"hail\"", StringComparison.Ordinal));
        _folder.Write("roles/other.cs", Weather.Replace("weather", "other", StringComparison.Ordinal).Replace("WeatherRole", "OtherRole", StringComparison.Ordinal).Replace("\"forecasts\", TOOLS", "\"nowhere\", \"x\"", StringComparison.Ordinal));
        await using var host = await FrontDoorHost.StartAsync(WithServer(new McpServerEntry { Name = "forecasts", Url = new Uri(server.Address, "/mcp").ToString() }));

        var weather = host.Roles.Status.Single(s => s.Path.EndsWith("weather.cs", StringComparison.Ordinal));
        Assert.Equal(RoleState.Failed, weather.State);
        Assert.Contains("has no tool 'hail'; its tools: broken, forecast", weather.LastErrors.Single().Message, StringComparison.Ordinal);
        var other = host.Roles.Status.Single(s => s.Path.EndsWith("other.cs", StringComparison.Ordinal));
        Assert.Contains("No MCP server 'nowhere'", other.LastErrors.Single().Message, StringComparison.Ordinal);
        Assert.Equal(RoleState.Active, host.Roles.Status.Single(s => s.Name == "timer").State);
    }

    [Fact]
    public async Task A_stdio_server_built_here_gives_a_role_a_tool()
    {
        var source = _folder.Write("server/server.cs", StdioServer);
        var output = Path.Combine(_folder.Path, "server", "out");
        using (var build = Process.Start(new ProcessStartInfo("dotnet", ["build", source, "-o", output, "-nologo", "-v", "q"]) { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            var log = build.StandardOutput.ReadToEndAsync();
            using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await build.WaitForExitAsync(patience.Token);
            Assert.True(build.ExitCode == 0, await log);
        }

        _folder.Write("roles/shouter.cs", Weather.Replace("weather", "shouter", StringComparison.Ordinal).Replace("WeatherRole", "ShouterRole", StringComparison.Ordinal).Replace("\"forecasts\", TOOLS", "\"loud\", \"shout\"", StringComparison.Ordinal));
        await using var host = await FrontDoorHost.StartAsync(WithServer(new McpServerEntry { Name = "loud", Command = "dotnet", Args = [Path.Combine(output, "server.dll")] }));

        var answer = await (await host.Client.PostAsJsonAsync("/api/requests", new { text = "/shouter shout hello", user = "ann" })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(answer.GetProperty("success").GetBoolean(), answer.ToString());
        Assert.Equal("HELLO!", answer.GetProperty("reply").GetString());
    }

    [Theory]
    [InlineData("""{ "mcp": { "servers": [ { "name": "a", "command": "x", "url": "http://127.0.0.1:1/mcp" } ] } }""", "mcp:servers:0")]
    [InlineData("""{ "mcp": { "servers": [ { "name": "a" } ] } }""", "mcp:servers:0")]
    [InlineData("""{ "mcp": { "servers": [ { "name": "a b", "command": "x" } ] } }""", "mcp:servers:0:name")]
    [InlineData("""{ "mcp": { "servers": [ { "name": "a", "command": "x" }, { "name": "a", "command": "y" } ] } }""", "mcp:servers:0:name")]
    [InlineData("""{ "mcp": { "servers": [ { "name": "a", "url": "ftp://h/mcp" } ] } }""", "mcp:servers:0:url")]
    [InlineData("""{ "mcp": { "servers": [ { "name": "a", "url": "http://h/mcp", "tokenVariable": "MCP_TEST_NOT_SET_ANYWHERE" } ] } }""", "mcp:servers:0:tokenVariable")]
    [InlineData("""{ "mcp": { "servers": [ { "name": "a", "command": "x", "timeout": "00:00:00" } ] } }""", "mcp:servers:0:timeout")]
    public void Bad_server_settings_stop_start_up_naming_the_key(string json, string key)
    {
        var error = Assert.Throws<AgentPlugins.Host.ConfigurationException>(() => OptionsLoader.Load(_folder.Write("plugins.json", json)));

        Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
    }

    private AgentPluginsOptions WithServer(McpServerEntry server) =>
        FrontDoorHost.Options(_folder) with { Mcp = new McpOptions { Servers = [server] } };

    /// <summary>An MCP server over Streamable HTTP on a loopback port: <c>forecast</c> and <c>broken</c>.</summary>
    private sealed class ForecastServer(WebApplication app, Uri address) : IAsyncDisposable
    {
        public Uri Address { get; } = address;

        public static async Task<ForecastServer> StartAsync()
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
            builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddRoutingCore();
            builder.Services.AddMcpServer()
                .WithHttpTransport()
                .WithTools([
                    McpServerTool.Create(
                        ([Description("The city")] string city, [Description("How many days")] int days) => $"{city}: sunny for {days} day(s)",
                        new McpServerToolCreateOptions { Name = "forecast", Description = "Forecast for a city" }),
                    McpServerTool.Create(
                        () => new ModelContextProtocol.Protocol.CallToolResult { IsError = true, Content = [new ModelContextProtocol.Protocol.TextContentBlock { Text = "The station is down." }] },
                        new McpServerToolCreateOptions { Name = "broken", Description = "Always fails" }),
                ]);
            var app = builder.Build();
            app.MapMcp("/mcp");
            await app.StartAsync();
            return new ForecastServer(app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
