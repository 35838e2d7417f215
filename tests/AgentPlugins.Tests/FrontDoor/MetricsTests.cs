using System.Net.Http.Json;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.FrontDoor;

/// <summary><c>/metrics</c>: Prometheus text through OpenTelemetry, behind the token.</summary>
public sealed class MetricsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Metrics_show_the_runtime_the_reloads_and_the_http_requests()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder), token: "m3trics", tokenVariable: "FRONTDOOR_TEST_METRICS_" + Guid.NewGuid().ToString("N")[..8]);
        await host.Client.PostAsJsonAsync("/api/requests", new { text = "/timer list_timers", user = "ann" });
        var timer = Path.Combine(_folder.Path, "roles", "timer.cs");
        Assert.Empty((await host.Roles.ApplyAsync(AgentPlugins.Host.Compilation.RoleFile.FromText(timer, File.ReadAllText(timer) + "\n// saved again\n"))).Diagnostics);

        var text = await host.Client.GetStringAsync("/metrics");

        Assert.Contains("agentplugins_intents_processed_total", text, StringComparison.Ordinal);
        Assert.Contains("agentplugins_bus_events_published_total", text, StringComparison.Ordinal);
        Assert.Contains("agentplugins_role_generations{otel_scope_name=\"AgentPlugins\",state=\"active\"} 1", text.Replace("otel_scope_version=\"\",", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("agentplugins_generations_leaked_total", text, StringComparison.Ordinal);
        Assert.Contains("agentplugins_role_reload_duration", text, StringComparison.Ordinal);
        Assert.Contains("agentplugins_requests_total", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
        using var anonymous = new HttpClient { BaseAddress = host.Address };
        await RequestTests.AssertProblemAsync(await anonymous.GetAsync("/metrics"), 401, "Authorization");
    }
}
