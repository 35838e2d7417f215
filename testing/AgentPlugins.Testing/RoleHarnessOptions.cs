using AgentPlugins.Sdk;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Testing;

/// <summary>
/// What a <see cref="RoleHarness"/> gives the role: the user and channel calls come from, the role's
/// settings, the clock, and the HTTP handler prompt hooks fetch through. Everything has a test-friendly default.
/// </summary>
public sealed record RoleHarnessOptions
{
    /// <summary>The user events, tool calls and intents come from (default <c>tester</c>).</summary>
    public string User { get; init; } = "tester";

    /// <summary>The channel they come from, where notifications go (default <c>console</c>).</summary>
    public string Channel { get; init; } = ChannelNames.Console;

    /// <summary>The role's settings, as plugins.json's <c>roles:settings:NAME</c> would give them.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The clock every context sees (<c>context.Clock</c>, <c>EventContext.Time</c>) and the recording
    /// timers count from. Default: a <see cref="FakeTimeProvider"/> at 2030-01-01 09:00 UTC; advance it in the test.
    /// </summary>
    public FakeTimeProvider Clock { get; init; } = new(new DateTimeOffset(2030, 1, 1, 9, 0, 0, TimeSpan.Zero));

    /// <summary>The time zone a time-of-day timer (<c>07:30</c>) is read in, as plugins.json's <c>timers:timeZone</c> (default UTC).</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>
    /// What the role's HTTP calls reach (the prompt context's <c>Http</c>): a handler the test scripts,
    /// so no test calls a real service. Null means the role has no network: a call fails, saying so.
    /// </summary>
    public HttpMessageHandler? Http { get; init; }

    /// <summary>How long the role's HTTP calls may take, as plugins.json's <c>roles:settings:NAME:http</c> timeout (default 100 s, HttpClient's).</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Report the file's warnings as errors when it loads, like <c>host validate --strict</c>.</summary>
    public bool Strict { get; init; }
}
