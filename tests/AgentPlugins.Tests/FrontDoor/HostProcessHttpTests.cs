using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AgentPlugins.Host.Supervision;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.FrontDoor;

/// <summary>The real <c>bin/host run</c> process serving HTTP: a timer through the API notifies the SSE stream, across a restart.</summary>
public sealed partial class HostProcessHttpTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_timer_set_over_http_reaches_the_users_stream_and_a_reconnect_after_restart_resumes_by_id()
    {
        _folder.Write("roles/timer.cs", File.ReadAllText(Repository.SampleRole("timer.cs")));
        var config = _folder.Write("plugins.json", """{ "roles": { "folder": "roles" }, "storage": { "dataFolder": "data" }, "channels": { "console": { "enabled": false } } }""");
        string lastSeen;
        await using (var host = HostProcess.Start(_folder.Path, "run", "--config", config))
        {
            using var client = new HttpClient { BaseAddress = await AddressAsync(host) };
            await WaitReadyAsync(client);
            await using var stream = await SseReader.OpenAsync(client, "/api/events?user=kim");

            var answer = await client.PostAsJsonAsync("/api/requests", new { text = "/timer set_timer 2s kiwi", user = "kim" });

            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
            var kiwi = await stream.WaitForAsync(e => e.Kind == "notification" && e.Text.Contains("kiwi", StringComparison.Ordinal) && e.Text.Contains("done", StringComparison.OrdinalIgnoreCase), Patience);
            lastSeen = kiwi.Id!;
            await client.PostAsJsonAsync("/api/requests", new { text = "/timer set_timer 1h later", user = "kim" });
            Assert.Equal(0, await host.TerminateAsync(Patience));
        }

        await using var restarted = HostProcess.Start(_folder.Path, "run", "--config", config);
        using var again = new HttpClient { BaseAddress = await AddressAsync(restarted) };
        await WaitReadyAsync(again);
        await using var resumed = await SseReader.OpenAsync(again, "/api/events?user=kim", lastEventId: lastSeen);
        Assert.Contains("later", (await resumed.NextAsync(Patience))!.Text, StringComparison.Ordinal);
        Assert.Equal(0, await restarted.TerminateAsync(Patience));
    }

    [Fact]
    public async Task A_tool_that_never_returns_called_over_http_on_an_idle_loop_turns_health_red_and_ends_the_host_at_the_hard_limit()
    {
        // On an idle loop the request runs on the thread that received it: that thread spins, the loop is held.
        _folder.Write("roles/spin.cs", AttackRoles.SpinningTool);
        var config = _folder.Write("plugins.json", """{ "roles": { "folder": "roles" }, "storage": { "dataFolder": "data" }, "channels": { "console": { "enabled": false } } }""");
        await using var host = HostProcess.Start(_folder.Path, "run", "--config", config);
        using var client = new HttpClient { BaseAddress = await AddressAsync(host), Timeout = Patience };
        await WaitReadyAsync(client);
        var spinning = Stopwatch.StartNew();

        var request = client.PostAsJsonAsync("/api/requests", new { text = "/spin spin", user = "kim" });

        var health = await client.GetAsync("/healthz");
        while (health.IsSuccessStatusCode && spinning.Elapsed < Patience)
        {
            health = await client.GetAsync("/healthz");
        }

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(ExitCodes.RoleStuck, await host.WaitForExitAsync(Patience));
        Assert.InRange(spinning.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));
        Assert.Contains(host.Stderr, line => line.StartsWith("crit:", StringComparison.Ordinal) && line.Contains("Role spin generation 1 handler spin", StringComparison.Ordinal));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => request);
    }

    internal static async Task<Uri> AddressAsync(HostProcess host)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Patience)
        {
            foreach (var line in host.Stderr)
            {
                if (Listening().Match(line) is { Success: true } match)
                {
                    return new Uri(match.Groups[1].Value);
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The host never said where it listens:\n" + string.Join('\n', host.Stderr));
    }

    internal static async Task WaitReadyAsync(HttpClient client)
    {
        var watch = Stopwatch.StartNew();
        while (!(await client.GetAsync("/readyz")).IsSuccessStatusCode)
        {
            Assert.True(watch.Elapsed < Patience, "/readyz never turned 200.");
            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
