namespace AgentPlugins.Host.FrontDoor.Slack;

/// <summary>A message a Slack user sent the app, accepted and waiting to run.</summary>
/// <param name="EventId">Slack's id of the event, for logs.</param>
/// <param name="User">The Slack user id (<c>U…</c>): the request's user.</param>
/// <param name="Channel">The conversation it was said in; the reply goes there.</param>
/// <param name="ThreadTs">The thread to reply in: the message's thread, or the message itself.</param>
/// <param name="Text">The request, without the app's mention.</param>
internal sealed record SlackMessage(string EventId, string User, string Channel, string ThreadTs, string Text);
