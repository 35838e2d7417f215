using System.Net.Http.Json;
using System.Text.Json;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.FrontDoor;

/// <summary><c>GET /api/events</c>: a real SSE reader over real Kestrel, the durable outbox behind it.</summary>
public sealed class EventStreamTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_timer_set_over_http_notifies_that_users_stream_and_no_one_elses()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder));
        await using var kim = await SseReader.OpenAsync(host.Client, "/api/events?user=kim");
        await using var lee = await SseReader.OpenAsync(host.Client, "/api/events?user=lee");

        var answer = await (await host.Client.PostAsJsonAsync("/api/requests", new { text = "/timer set_timer 2s kiwi", user = "kim" })).Content.ReadFromJsonAsync<JsonElement>();

        var reply = await kim.NextAsync();
        Assert.Equal("reply", reply!.Type);
        Assert.Equal("Setting a 2 second timer for 'kiwi'.", reply.Text);
        Assert.Equal(answer.GetProperty("id").GetString(), JsonDocument.Parse(reply.Data).RootElement.GetProperty("requestId").GetString());
        var notification = await kim.NextAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("notification", notification!.Type);
        Assert.Contains("kiwi", notification.Text, StringComparison.Ordinal);
        Assert.True(long.Parse(notification.Id!, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(reply.Id!, System.Globalization.CultureInfo.InvariantCulture));

        await host.Client.PostAsJsonAsync("/api/requests", new { text = "/help", user = "lee" });
        var leeFirst = await lee.NextAsync();
        Assert.Equal("reply", leeFirst!.Type);
        Assert.StartsWith("Roles and their tools", leeFirst.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_reconnects_after_a_host_restart_gets_what_it_missed_by_last_event_id()
    {
        var options = FrontDoorHost.Options(_folder);
        string firstId;
        await using (var host = await FrontDoorHost.StartAsync(options))
        {
            await using var stream = await SseReader.OpenAsync(host.Client, "/api/events?user=ann");
            await host.Client.PostAsJsonAsync("/api/requests", new { text = "/timer list_timers", user = "ann" });
            Assert.Equal("Listing your timers.", (await stream.NextAsync())!.Text);
            firstId = (await stream.WaitForAsync(e => e.Text == "No timers running.")).Id!;

            // Missed while disconnected: a reply and one for someone else.
            await host.Client.PostAsJsonAsync("/api/requests", new { text = "/timer set_timer 1h bread", user = "ann" });
            await host.Client.PostAsJsonAsync("/api/requests", new { text = "/help", user = "bob" });
        }

        await using var restarted = await FrontDoorHost.StartAsync(options);
        await using var resumed = await SseReader.OpenAsync(restarted.Client, "/api/events?user=ann", lastEventId: firstId);
        var missed = await resumed.NextAsync();
        Assert.Contains("timer for 'bread'", missed!.Text, StringComparison.Ordinal);
        await restarted.Client.PostAsJsonAsync("/api/requests", new { text = "/timer cancel_timer bread", user = "ann" });
        Assert.Contains("bread", (await resumed.NextAsync())!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_stream_parameters_are_problems_naming_them()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder));

        await RequestTests.AssertProblemAsync(await host.Client.GetAsync("/api/events"), 400, "user");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/events?user=ann");
        request.Headers.Add("Last-Event-ID", "yesterday");
        await RequestTests.AssertProblemAsync(await host.Client.SendAsync(request), 400, "Last-Event-ID");
    }
}
