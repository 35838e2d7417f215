using System.Globalization;
using System.Net.Http.Json;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.FrontDoor;

/// <summary>
/// Three hosts as <c>host run</c> composes them (runtime, front door, real Kestrel), each with its own
/// data folder and roles folder copy, on one PostgreSQL database: what one host writes for a user
/// reaches that user's event stream on another.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class ScaleOutEventStreamTests(PostgresCluster cluster) : IDisposable
{
    private readonly TempFolder _a = new();
    private readonly TempFolder _b = new();
    private readonly TempFolder _c = new();

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _c.Dispose();
    }

    [Fact]
    public async Task A_timer_set_through_host_a_notifies_the_users_stream_on_host_c_once()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var hostA = await FrontDoorHost.StartAsync(OnPostgres(_a, database));
        await using var hostB = await FrontDoorHost.StartAsync(OnPostgres(_b, database));
        await using var hostC = await FrontDoorHost.StartAsync(OnPostgres(_c, database));
        await using var kimOnC = await SseReader.OpenAsync(hostC.Client, "/api/events?user=kim");

        var posted = await hostA.Client.PostAsJsonAsync("/api/requests", new { text = "/timer set_timer 2s kiwi", user = "kim" });
        posted.EnsureSuccessStatusCode();

        var reply = await kimOnC.NextAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("reply", "Setting a 2 second timer for 'kiwi'."), (reply!.Type, reply.Text));
        var notification = await kimOnC.WaitForAsync(e => e.Type == "notification" && e.Text.Contains("is done", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Equal("Timer 'kiwi' is done.", notification.Text);
        Assert.True(Id(notification) > Id(reply));

        // Once: nothing more for kim, whichever host fired the timer.
        var extra = await Record.ExceptionAsync(async () => Assert.Fail($"one more: {(await kimOnC.NextAsync(TimeSpan.FromSeconds(2)))?.Data ?? "the stream ended"}"));
        Assert.True(extra is OperationCanceledException, extra?.Message);
    }

    [Fact]
    public async Task A_client_that_reconnects_to_another_host_gets_what_it_missed_by_last_event_id()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var hostA = await FrontDoorHost.StartAsync(OnPostgres(_a, database));
        await using var hostC = await FrontDoorHost.StartAsync(OnPostgres(_c, database));
        string lastSeen;
        await using (var onA = await SseReader.OpenAsync(hostA.Client, "/api/events?user=ann"))
        {
            await hostA.Client.PostAsJsonAsync("/api/requests", new { text = "/timer list_timers", user = "ann" });
            lastSeen = (await onA.WaitForAsync(e => e.Text == "No timers running.", TimeSpan.FromSeconds(30))).Id!;
        }

        // Missed while disconnected, written on host A: ann's reply and one for someone else.
        await hostA.Client.PostAsJsonAsync("/api/requests", new { text = "/timer set_timer 1h bread", user = "ann" });
        await hostA.Client.PostAsJsonAsync("/api/requests", new { text = "/help", user = "bob" });

        await using var onC = await SseReader.OpenAsync(hostC.Client, "/api/events?user=ann", lastEventId: lastSeen);
        var missed = await onC.NextAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("timer for 'bread'", missed!.Text, StringComparison.Ordinal);
        await hostA.Client.PostAsJsonAsync("/api/requests", new { text = "/timer cancel_timer bread", user = "ann" });
        Assert.Contains("bread", (await onC.NextAsync(TimeSpan.FromSeconds(30)))!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_configured_on_every_host_gets_each_notification_once_in_order_and_another_host_takes_over()
    {
        var secretVariable = "SCALE_OUT_TEST_WEBHOOK_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(secretVariable, "whsec-test");
        var database = await cluster.CreateDatabaseAsync();
        await using var receiver = await LoopbackReceiver.StartAsync();
        AgentPluginsOptions WithWebhook(TempFolder folder)
        {
            var options = OnPostgres(folder, database);
            return options with { Channels = options.Channels with { Webhooks = [new WebhookOptions { Name = "ops", Url = receiver.Address.ToString(), Users = ["ann"], SecretVariable = secretVariable }] } };
        }

        var hostA = await FrontDoorHost.StartAsync(WithWebhook(_a));
        await using var hostB = await FrontDoorHost.StartAsync(WithWebhook(_b));
        for (var i = 0; i < 3; i++)
        {
            await (i % 2 == 0 ? hostA : hostB).Client.PostAsJsonAsync("/api/requests", new { text = "/timer list_timers", user = "ann" });
        }

        await receiver.WaitForCountAsync(3);

        // The host that delivered may be either; stopping A leaves B (already waiting) to deliver from the saved cursor.
        await hostA.DisposeAsync();
        await hostB.Client.PostAsJsonAsync("/api/requests", new { text = "/timer list_timers", user = "ann" });
        await receiver.WaitForCountAsync(4);
        await Task.Delay(1000);

        var ids = receiver.Received.Select(d => d.Headers[AgentPlugins.Host.Notifications.Webhooks.WebhookSender.DeliveryHeader]).ToList();
        Assert.Equal(4, ids.Count);
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(ids.OrderBy(id => long.Parse(id[3..], CultureInfo.InvariantCulture)), ids);
    }

    private static AgentPluginsOptions OnPostgres(TempFolder folder, string connectionString)
    {
        var options = FrontDoorHost.Options(folder);
        return options with { Storage = options.Storage with { Provider = StorageOptions.Postgres, ConnectionString = connectionString } };
    }

    private static long Id(SseEvent e) => long.Parse(e.Id!, CultureInfo.InvariantCulture);
}
