using System.Globalization;
using System.Net;
using System.Text.Json;
using AgentPlugins.Host.Notifications;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Channels.Webhooks;

/// <summary>
/// Delivers one webhook's notifications from the durable outbox, in order, each once it is
/// acknowledged (2xx): it reads after its saved cursor, POSTs the signed JSON through a resilient
/// HttpClient (retries, timeouts, circuit breaker), and moves the cursor on. A receiver that is down
/// gets everything when it is back (within <c>http:outbox:maxAge</c>); a delivery the receiver refuses
/// as bad (4xx other than 408 and 429) is logged and skipped so it cannot block the rest.
/// </summary>
internal sealed class WebhookSender(
    WebhookOptions webhook,
    string secret,
    HttpClient client,
    NotificationOutbox outbox,
    TimeProvider clock,
    ILogger<WebhookSender> log) : BackgroundService
{
    public const string Channel = "http";
    public const string DeliveryHeader = "X-AgentPlugins-Delivery";
    private const int Page = 100;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private string CursorName => "webhook:" + webhook.Name;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var cursor = await outbox.ReadCursorAsync(CursorName, stoppingToken).ConfigureAwait(false);
            var backoff = FirstBackoff;
            while (!stoppingToken.IsCancellationRequested)
            {
                var page = await outbox.ReadAsync(Channel, null, cursor, Page, stoppingToken).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    await outbox.WaitForAppendAsync(cursor, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                foreach (var message in page)
                {
                    if (Wants(message) && !await DeliverAsync(message, stoppingToken).ConfigureAwait(false))
                    {
                        // The receiver is down or failing: try the same message again later, nothing skipped.
                        await Task.Delay(backoff, clock, stoppingToken).ConfigureAwait(false);
                        backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                        break;
                    }

                    backoff = FirstBackoff;
                    cursor = message.Id;
                    await outbox.SaveCursorAsync(CursorName, cursor).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the cursor says where to go on next time.
        }
        catch (ObjectDisposedException)
        {
            // The outbox closed under us: the host is stopping.
        }
    }

    private bool Wants(StoredNotification message) =>
        message.Kind == "notification" && (webhook.Users.Count == 0 || webhook.Users.Contains(message.User, StringComparer.Ordinal));

    private async Task<bool> DeliverAsync(StoredNotification message, CancellationToken cancellationToken)
    {
        var id = "ap-" + message.Id.ToString(CultureInfo.InvariantCulture);
        var body = JsonSerializer.SerializeToUtf8Bytes(new WebhookDelivery(id, message.User, message.Kind, message.Text, message.Priority, message.CreatedAt), Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(secret, body));
        request.Headers.Add(DeliveryHeader, id);
        request.Headers.Add("Idempotency-Key", id);
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            if ((int)response.StatusCode is >= 400 and < 500 && response.StatusCode is not HttpStatusCode.RequestTimeout and not HttpStatusCode.TooManyRequests)
            {
                log.LogError("Webhook {Webhook} refused notification {Id} with {Status}; it is skipped.", webhook.Name, id, (int)response.StatusCode);
                return true;
            }

            log.LogWarning("Webhook {Webhook} answered {Status} for {Id}; retrying later.", webhook.Name, (int)response.StatusCode, id);
            return false;
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            log.LogWarning("Webhook {Webhook} is unreachable for {Id} ({Message}); retrying later.", webhook.Name, id, ex.Message);
            return false;
        }
    }
}
