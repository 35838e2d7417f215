using System.Globalization;
using System.Net;
using System.Text.Json;
using AgentPlugins.Host.Configuration;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Notifications.Webhooks;

/// <summary>
/// Delivers one webhook's notifications from the durable outbox (see <see cref="OutboxFollower"/>):
/// each POSTed as signed JSON through a resilient HttpClient (retries, timeouts, circuit breaker).
/// A delivery the receiver refuses as bad (4xx other than 408 and 429) is logged and skipped so it
/// cannot block the rest; anything else is tried again until it is accepted.
/// </summary>
internal sealed class WebhookSender(
    WebhookOptions webhook,
    string secret,
    HttpClient client,
    NotificationOutbox outbox,
    TimeProvider clock,
    ILogger<WebhookSender> log) : OutboxFollower(outbox, null, "webhook:" + webhook.Name, clock)
{
    public const string DeliveryHeader = "X-AgentPlugins-Delivery";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Whether <paramref name="webhook"/> delivers the notifications of <paramref name="user"/>.</summary>
    public static bool Covers(WebhookOptions webhook, string user)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return webhook.Users.Count == 0 || webhook.Users.Contains(user, StringComparer.Ordinal);
    }

    // Every channel's notifications: the outbox channels' own, and the copies of the others' (WebhookCopies).
    protected override bool Wants(StoredNotification message) => message.Kind == "notification" && Covers(webhook, message.User);

    protected override async Task<bool> DeliverAsync(StoredNotification message, CancellationToken cancellationToken)
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
