namespace AgentPlugins.Host.Notifications;

/// <summary>One message kept in the outbox for a user on a channel: a reply or a notification.</summary>
/// <param name="Id">Increasing across the outbox; SSE's event id and the webhook's idempotency id.</param>
/// <param name="Channel">The channel it was addressed to (<c>http</c>, <c>slack</c>).</param>
/// <param name="User">Whom it is for.</param>
/// <param name="Kind"><c>reply</c> or <c>notification</c>.</param>
/// <param name="Text">What the user reads.</param>
/// <param name="Priority"><c>low</c>, <c>medium</c> or <c>high</c>.</param>
/// <param name="RequestId">The request a reply answers; null for notifications.</param>
/// <param name="CreatedAt">When it was written.</param>
internal sealed record StoredNotification(
    long Id,
    string Channel,
    string User,
    string Kind,
    string Text,
    string Priority,
    string? RequestId,
    DateTimeOffset CreatedAt);
