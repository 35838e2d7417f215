using AgentPlugins.Sdk;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Testing;

/// <summary>
/// What a <see cref="RoleHarness"/> gives the role: the user and channel calls come from, the role's
/// settings, the clock, the HTTP handler its calls reach and its store's quota. Everything has a test-friendly default.
/// </summary>
public sealed record RoleHarnessOptions
{
    /// <summary>The user events, tool calls and intents come from (default <c>tester</c>).</summary>
    public string User { get; init; } = "tester";

    /// <summary>The channel they come from, where notifications go (default <c>console</c>).</summary>
    public string Channel { get; init; } = ChannelNames.Console;

    /// <summary>
    /// The role's settings, as plugins.json's <c>roles:settings:NAME</c> gives them: nested keys joined with
    /// <c>:</c> (<c>http:baseAddress</c>, <c>http:timeout</c>, <c>http:allowedHosts</c>, <c>http:headers:NAME</c>),
    /// and a key ending in <c>Variable</c> or <c>File</c> read from <see cref="Environment"/> or a file
    /// (<c>tokenVariable</c> gives <c>token</c>), as the host reads them when the role loads. A missing
    /// variable or file, or an http value the host would refuse, fails the load naming the role and key.
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>The environment variables a <c>...Variable</c> setting reads; null (default): the process's own.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Where a <c>...File</c> setting's relative path starts, as plugins.json's folder (default: the current folder).</summary>
    public string? SettingsFolder { get; init; }

    /// <summary>
    /// The clock every context sees (<c>context.Clock</c>, <c>EventContext.Time</c>) and the recording
    /// timers count from. Default: a <see cref="FakeTimeProvider"/> at 2030-01-01 09:00 UTC; advance it in the test.
    /// </summary>
    public FakeTimeProvider Clock { get; init; } = new(new DateTimeOffset(2030, 1, 1, 9, 0, 0, TimeSpan.Zero));

    /// <summary>The time zone a time-of-day timer (<c>07:30</c>) is read in, as plugins.json's <c>timers:timeZone</c> (default UTC).</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>
    /// What the role's HTTP calls reach: a handler the test scripts, so no test calls a real service. The
    /// client in front of it is the host's (<c>context.Http</c>): base address, headers, timeout (default
    /// 10 s), retries (default 2) and allowed hosts from <see cref="Settings"/>' <c>http:</c> keys, GET and
    /// HEAD only in tools, failures that name the cause. Null means the role has no network: a call fails, saying so.
    /// </summary>
    public HttpMessageHandler? Http { get; init; }

    /// <summary>
    /// The most the role's keys and values may take in its durable store, in kilobytes, as plugins.json's
    /// <c>storage:roleStoreQuotaKilobytes</c> (default 10,240, the host's): past it a write is refused as in the host.
    /// </summary>
    public int StoreQuotaKilobytes { get; init; } = 10 * 1024;

    /// <summary>Report the file's warnings as errors when it loads, like <c>host validate --strict</c>.</summary>
    public bool Strict { get; init; }
}
