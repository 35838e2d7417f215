namespace AgentPlugins.Sdk;

/// <summary>Where an event or a request came from, and when it is handled.</summary>
/// <param name="Channel">The channel replies and notifications go back to (<c>console</c>, <c>http</c>, ...).</param>
/// <param name="User">The user on whose behalf it runs, when there is one.</param>
/// <param name="Time">The host clock's time when the handler runs; use it instead of <c>DateTime.Now</c>.</param>
/// <param name="Source">Who published it: <c>host</c>, <c>timers</c>, <c>role:NAME</c>, a channel.</param>
/// <param name="OriginalPrompt">The user's words that led here, when there were any.</param>
public sealed record EventContext(
    string Channel,
    string? User,
    DateTimeOffset Time,
    string Source,
    string? OriginalPrompt = null);
