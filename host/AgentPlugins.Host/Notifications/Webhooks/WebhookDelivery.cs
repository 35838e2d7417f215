namespace AgentPlugins.Host.Notifications.Webhooks;

/// <summary>The JSON body POSTed to a webhook: one notification, with the id a receiver de-duplicates by.</summary>
/// <param name="Id">The idempotency id: the same notification always has the same one, across retries and restarts.</param>
internal sealed record WebhookDelivery(string Id, string User, string Kind, string Text, string Priority, DateTimeOffset CreatedAt);
