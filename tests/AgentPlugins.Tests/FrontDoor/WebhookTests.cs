using System.Net.Http.Json;
using System.Text.Json;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Notifications;
using AgentPlugins.Host.Notifications.Webhooks;
using AgentPlugins.Host.Requests;
using AgentPlugins.Host.Workflows;
using AgentPlugins.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AgentPlugins.Tests.FrontDoor;

/// <summary>Outgoing webhooks: signed POSTs of users' notifications from the durable outbox to a loopback receiver.</summary>
public sealed class WebhookTests : IDisposable
{
    private const string Secret = "whsec-test";
    private readonly TempFolder _folder = new();
    private readonly string _secretVariable = "FRONTDOOR_TEST_WEBHOOK_" + Guid.NewGuid().ToString("N")[..8];

    public WebhookTests() => Environment.SetEnvironmentVariable(_secretVariable, Secret);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_users_notification_is_posted_signed_with_an_idempotency_id_and_others_are_not()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var host = await FrontDoorHost.StartAsync(Options(receiver.Address, "ann"));

        await host.Client.PostAsJsonAsync("/api/requests", new { text = "/timer list_timers", user = "bob" });
        await host.Client.PostAsJsonAsync("/api/requests", new { text = "/timer list_timers", user = "ann" });

        var delivery = (await receiver.WaitForCountAsync(1)).Single();
        Assert.True(WebhookSignature.Verify(Secret, delivery.Body, delivery.Headers[WebhookSignature.Header]), delivery.Headers[WebhookSignature.Header]);
        Assert.False(WebhookSignature.Verify("another secret", delivery.Body, delivery.Headers[WebhookSignature.Header]));
        var json = JsonDocument.Parse(delivery.Body).RootElement;
        Assert.Equal("ann", json.GetProperty("user").GetString());
        Assert.Equal("notification", json.GetProperty("kind").GetString());
        Assert.Equal("No timers running.", json.GetProperty("text").GetString());
        Assert.Equal(json.GetProperty("id").GetString(), delivery.Headers[WebhookSender.DeliveryHeader]);
        await Task.Delay(500);
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task A_users_notification_on_the_console_reaches_their_webhook_too_and_others_do_not()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var host = await FrontDoorHost.StartAsync(Options(receiver.Address, "ann"));
        var workflows = host.Services.GetRequiredService<WorkflowEngine>();

        await workflows.SubmitAsync(new Request("/timer list_timers", "console", "bob"), _ => Task.CompletedTask);
        await workflows.SubmitAsync(new Request("/timer set_timer 1s kettle", "console", "ann"), _ => Task.CompletedTask);

        var deliveries = await receiver.WaitForCountAsync(2);
        var texts = deliveries.Select(d => JsonDocument.Parse(d.Body).RootElement).ToList();
        Assert.All(texts, t => Assert.Equal("ann", t.GetProperty("user").GetString()));
        Assert.StartsWith("Timer 'kettle' set", texts[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("Timer 'kettle' is done", texts[1].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.True(WebhookSignature.Verify(Secret, deliveries[1].Body, deliveries[1].Headers[WebhookSignature.Header]));

        // Copies are for the webhooks only: the user's HTTP event stream stays the http channel's.
        var outbox = host.Services.GetRequiredService<NotificationOutbox>();
        Assert.Empty(await outbox.ReadAsync("http", "ann", 0, 100));
        await Task.Delay(500);
        Assert.Equal(2, receiver.Received.Count);
    }

    [Fact]
    public async Task A_receiver_that_was_down_gets_everything_in_order_once_it_is_back_even_across_a_host_restart()
    {
        var port = LoopbackReceiver.FreePort();
        var options = Options(new Uri($"http://127.0.0.1:{port}/hook"), "ann");
        await using (var host = await FrontDoorHost.StartAsync(options))
        {
            foreach (var label in new[] { "one", "two" })
            {
                await host.Client.PostAsJsonAsync("/api/requests", new { text = $"/timer set_timer 1h {label}", user = "ann" });
                await host.Client.PostAsJsonAsync("/api/requests", new { text = $"/timer cancel_timer {label}", user = "ann" });
            }

            await Task.Delay(1500);
        }

        await using var restarted = await FrontDoorHost.StartAsync(options);
        await restarted.Client.PostAsJsonAsync("/api/requests", new { text = "/timer list_timers", user = "ann" });
        await using var receiver = await LoopbackReceiver.StartAsync(port: port);

        // Each set and cancel notifies, then the list after the restart: five, in the order they were written.
        var received = await receiver.WaitForCountAsync(5);
        var texts = received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("text").GetString()!).ToList();
        Assert.Equal(["one", "one", "two", "two"], texts.Take(4).Select(t => t.Contains("'one'", StringComparison.Ordinal) ? "one" : t.Contains("'two'", StringComparison.Ordinal) ? "two" : t));
        Assert.Equal("No timers running.", texts[4]);
        var ids = received.Select(r => r.Headers[WebhookSender.DeliveryHeader]).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        await Task.Delay(500);
        Assert.Equal(5, receiver.Received.Count);
    }

    [Fact]
    public async Task Server_errors_are_retried_until_accepted_and_a_refused_delivery_does_not_block_the_next()
    {
        var calls = 0;
        await using var receiver = await LoopbackReceiver.StartAsync(request =>
        {
            var n = Interlocked.Increment(ref calls);
            return Task.FromResult(n switch
            {
                1 or 2 => Results.StatusCode(StatusCodes.Status503ServiceUnavailable),
                3 => Results.BadRequest(),
                _ => Results.Ok(),
            });
        });
        await using var host = await FrontDoorHost.StartAsync(Options(receiver.Address, "ann"));

        await host.Client.PostAsJsonAsync("/api/requests", new { text = "/timer list_timers", user = "ann" });
        await receiver.WaitForCountAsync(3);
        await host.Client.PostAsJsonAsync("/api/requests", new { text = "/timer list_timers", user = "ann" });

        var received = await receiver.WaitForCountAsync(4);
        Assert.Single(received.Take(3).Select(r => r.Headers[WebhookSender.DeliveryHeader]).Distinct());
        Assert.NotEqual(received[2].Headers[WebhookSender.DeliveryHeader], received[3].Headers[WebhookSender.DeliveryHeader]);
    }

    private AgentPluginsOptions Options(Uri url, params string[] users)
    {
        var options = FrontDoorHost.Options(_folder);
        return options with
        {
            Channels = options.Channels with
            {
                Webhooks = [new WebhookOptions { Name = "ops", Url = url.ToString(), Users = [.. users], SecretVariable = _secretVariable }],
            },
        };
    }
}
