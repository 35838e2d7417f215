using System.Diagnostics;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace AgentPlugins.Tests.Http;

/// <summary>
/// <c>context.Http</c> against a real HTTP server on 127.0.0.1: the role's settings shape the client,
/// tools only read, and every failure reaches the user named (role, call, cause).
/// </summary>
public sealed class RoleHttpTests
{
    private static Func<AgentPluginsOptions, AgentPluginsOptions> Http(params (string Key, string Value)[] settings) => options => options with
    {
        Roles = options.Roles with { Settings = new(StringComparer.OrdinalIgnoreCase) { ["fetcher"] = settings.ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase) } },
    };

    private static async Task<TestRuntime> StartAsync(Func<AgentPluginsOptions, AgentPluginsOptions> configure)
    {
        var test = await TestRuntime.Create(new Dictionary<string, string> { ["fetcher.cs"] = HttpRoles.Fetcher }, configure: configure).StartAsync();
        Assert.Empty(test.StartupFailures);
        return test;
    }

    [Fact]
    public async Task A_tool_GETs_through_the_base_address_and_headers_from_its_settings()
    {
        await using var api = await LoopbackReceiver.StartAsync(_ => Task.FromResult(Results.Text("""{"temperature": 21}""", "application/json")));
        await using var test = await StartAsync(Http(("http:baseAddress", api.Address + "v1"), ("http:headers:X-Client", "agentplugins")));

        var reply = await test.AskAsync("/fetcher get current?city=Paris");

        Assert.True(reply.Success, reply.Text);
        Assert.Equal("""200 {"temperature": 21}""", reply.Text);
        var request = Assert.Single(api.Received);
        Assert.Equal(("GET", "/v1/current", "?city=Paris"), (request.Method, request.Path, request.Query));
        Assert.Equal("agentplugins", request.Headers["X-Client"]);
    }

    [Fact]
    public async Task A_tool_may_not_POST_and_nothing_is_sent()
    {
        await using var api = await LoopbackReceiver.StartAsync();
        await using var test = await StartAsync(Http(("http:baseAddress", api.Address.ToString())));

        var reply = await test.AskAsync("/fetcher post api/services/light/turn_on");

        Assert.False(reply.Success);
        Assert.Contains("Role 'fetcher': a tool only reads (GET, HEAD), so POST http://127.0.0.1:", reply.Text, StringComparison.Ordinal);
        Assert.Contains("return an intent and send it from the intent handler", reply.Text, StringComparison.Ordinal);
        Assert.Empty(api.Received);
    }

    [Fact]
    public async Task An_intent_handler_POSTs_with_the_same_client()
    {
        await using var api = await LoopbackReceiver.StartAsync(_ => Task.FromResult(Results.StatusCode(201)));
        await using var test = await StartAsync(Http(("http:baseAddress", api.Address.ToString())));

        var reply = await test.AskAsync("/fetcher send api/services/light/turn_on '{\"entity_id\":\"light.kitchen\"}'");
        Assert.True(reply.Success, reply.Text);

        var sent = await test.Console.WaitForAsync(m => m.Text.StartsWith("sent:", StringComparison.Ordinal));
        Assert.Equal("sent: 201", sent.Text);
        var request = Assert.Single(await api.WaitForCountAsync(1));
        Assert.Equal(("POST", "/api/services/light/turn_on", "{\"entity_id\":\"light.kitchen\"}"), (request.Method, request.Path, request.Text));
    }

    [Fact]
    public async Task A_slow_API_fails_after_the_configured_timeout_with_a_message_that_says_so()
    {
        await using var api = await LoopbackReceiver.StartAsync(async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            return Results.Ok();
        });
        await using var test = await StartAsync(Http(("http:baseAddress", api.Address.ToString()), ("http:timeout", "00:00:00.5"), ("http:retries", "0")));
        var watch = Stopwatch.StartNew();

        var reply = await test.AskAsync("/fetcher get slow");

        Assert.False(reply.Success);
        Assert.Contains("Role 'fetcher': GET http://127.0.0.1:", reply.Text, StringComparison.Ordinal);
        Assert.EndsWith("/slow timed out after 0.5 s.", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Canceled", reply.Text, StringComparison.OrdinalIgnoreCase);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4.5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_500_is_retried_for_a_GET_then_named_with_its_status()
    {
        await using var api = await LoopbackReceiver.StartAsync(_ => Task.FromResult(Results.StatusCode(500)));
        await using var test = await StartAsync(Http(("http:baseAddress", api.Address.ToString()), ("http:retries", "2")));

        var reply = await test.AskAsync("/fetcher get_text broken");

        Assert.False(reply.Success);
        Assert.Contains("500 (Internal Server Error)", reply.Text, StringComparison.Ordinal);
        Assert.Equal(3, (await api.WaitForCountAsync(3)).Count);
    }

    [Fact]
    public async Task A_POST_that_fails_is_not_sent_again()
    {
        await using var api = await LoopbackReceiver.StartAsync(_ => Task.FromResult(Results.StatusCode(503)));
        await using var test = await StartAsync(Http(("http:baseAddress", api.Address.ToString()), ("http:retries", "3")));

        await test.AskAsync("/fetcher send api/services/switch/toggle {}");

        Assert.Equal("sent: 503", (await test.Console.WaitForAsync(m => m.Text.StartsWith("sent:", StringComparison.Ordinal))).Text);
        Assert.Single(api.Received);
    }

    [Fact]
    public async Task A_host_off_the_allow_list_is_refused_naming_the_role_and_the_host()
    {
        await using var api = await LoopbackReceiver.StartAsync();
        await using var test = await StartAsync(Http(("http:allowedHosts", "api.example.com, *.example.org")));

        var reply = await test.AskAsync($"/fetcher get {api.Address}secret");

        Assert.False(reply.Success);
        Assert.Contains("Role 'fetcher' may not call host '127.0.0.1'", reply.Text, StringComparison.Ordinal);
        Assert.Contains("roles:settings:fetcher:http:allowedHosts (*.example.org, api.example.com)", reply.Text, StringComparison.Ordinal);
        Assert.Empty(api.Received);
    }

    [Fact]
    public async Task An_unreachable_API_is_named_not_a_cancellation()
    {
        var port = LoopbackReceiver.FreePort();
        await using var test = await StartAsync(Http(("http:baseAddress", $"http://127.0.0.1:{port}/"), ("http:retries", "0")));

        var reply = await test.AskAsync("/fetcher get current");

        Assert.False(reply.Success);
        Assert.Contains($"Role 'fetcher': GET http://127.0.0.1:{port}/current failed:", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Canceled", reply.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_API_that_keeps_failing_opens_the_circuit_and_calls_stop_reaching_it()
    {
        await using var api = await LoopbackReceiver.StartAsync(_ => Task.FromResult(Results.StatusCode(500)));
        await using var test = await StartAsync(Http(("http:baseAddress", api.Address.ToString()), ("http:retries", "0")));

        string? refused = null;
        for (var call = 0; call < 20 && refused is null; call++)
        {
            var reply = await test.AskAsync("/fetcher get_text down");
            refused = reply.Text.Contains("circuit open", StringComparison.Ordinal) ? reply.Text : null;
        }

        Assert.NotNull(refused);
        Assert.Contains("most recent calls to 127.0.0.1 failed, so calls to it are paused for up to 15 s", refused, StringComparison.Ordinal);
        var reached = api.Received.Count;
        await test.AskAsync("/fetcher get_text down");
        Assert.Equal(reached, api.Received.Count);
    }

    [Theory]
    [InlineData("http:timeout", "soon", "'roles:settings:fetcher:http:timeout' = 'soon' must be a time span")]
    [InlineData("http:retries", "-1", "'roles:settings:fetcher:http:retries' = '-1' must be a whole number from 0 to 10")]
    [InlineData("http:baseAddress", "ftp://files", "'roles:settings:fetcher:http:baseAddress' = 'ftp://files' is not an absolute http(s) address")]
    [InlineData("http:allowedHosts", "https://api.example.com", "holds 'https://api.example.com', which is not a host name")]
    public async Task A_bad_http_setting_fails_the_load_naming_the_role_and_key(string key, string value, string expected)
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["fetcher.cs"] = HttpRoles.Fetcher }, configure: Http((key, value))).StartAsync();

        var failure = Assert.Single(test.StartupFailures);
        Assert.Equal(LoadCodes.InvalidSettings, failure.Code);
        Assert.Contains("Role 'fetcher'", failure.Message, StringComparison.Ordinal);
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_base_address_off_the_allow_list_fails_the_load()
    {
        await using var test = await TestRuntime.Create(
            new Dictionary<string, string> { ["fetcher.cs"] = HttpRoles.Fetcher },
            configure: Http(("http:baseAddress", "http://127.0.0.1:9/"), ("http:allowedHosts", "api.example.com"))).StartAsync();

        var failure = Assert.Single(test.StartupFailures);
        Assert.Contains("points at '127.0.0.1', which 'roles:settings:fetcher:http:allowedHosts' does not allow", failure.Message, StringComparison.Ordinal);
    }
}
