using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.FrontDoor.Slack;
using AgentPlugins.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace AgentPlugins.Tests.FrontDoor;

/// <summary>The Slack channel against a fake Slack on loopback: signatures, retries, thread replies, notifications.</summary>
public sealed class SlackTests : IDisposable
{
    private const string SigningSecret = "slack-signing-secret";
    private readonly TempFolder _folder = new();
    private readonly string _secretVariable = "FRONTDOOR_TEST_SLACK_SECRET_" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _tokenVariable = "FRONTDOOR_TEST_SLACK_TOKEN_" + Guid.NewGuid().ToString("N")[..8];

    public SlackTests()
    {
        Environment.SetEnvironmentVariable(_secretVariable, SigningSecret);
        Environment.SetEnvironmentVariable(_tokenVariable, "xoxb-test");
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Url_verification_answers_the_challenge()
    {
        await using var slack = await FakeSlackAsync();
        await using var host = await StartAsync(slack);

        var response = await SendAsync(host, new { type = "url_verification", challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", token = "x" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("challenge").GetString());
    }

    [Fact]
    public async Task Forged_missing_and_replayed_signatures_are_refused_naming_the_header()
    {
        await using var slack = await FakeSlackAsync();
        await using var host = await StartAsync(slack);
        var body = new { type = "url_verification", challenge = "c" };

        await RequestTests.AssertProblemAsync(await SendAsync(host, body, secret: "not the secret"), 401, SlackSignature.SignatureHeader);
        await RequestTests.AssertProblemAsync(await SendAsync(host, body, timestamp: DateTimeOffset.UtcNow.AddMinutes(-6)), 401, SlackSignature.TimestampHeader);
        await RequestTests.AssertProblemAsync(await SendAsync(host, body, timestamp: DateTimeOffset.UtcNow.AddMinutes(6)), 401, SlackSignature.TimestampHeader);
        using var unsigned = new HttpRequestMessage(HttpMethod.Post, SlackEventsEndpoint.Path) { Content = JsonContent.Create(body) };
        await RequestTests.AssertProblemAsync(await host.Client.SendAsync(unsigned), 401, SlackSignature.TimestampHeader);
        Assert.Empty(slack.Received);
    }

    [Fact]
    public async Task A_message_is_acknowledged_at_once_run_after_and_answered_in_its_thread_and_its_timer_notifies_the_user()
    {
        await using var slack = await FakeSlackAsync();
        await using var host = await StartAsync(slack);
        using var release = new ManualResetEventSlim();
        var holding = host.Loop.InvokeAsync(() => release.Wait(TimeSpan.FromSeconds(30)));

        var timer = Stopwatch.StartNew();
        var ack = await SendAsync(host, Message("Ev1", "/timer set_timer 1s mango", ts: "1700000000.000100"));
        timer.Stop();

        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(3), $"Acknowledged after {timer.Elapsed}.");
        Assert.Empty(slack.Received);
        release.Set();
        await holding;
        var posts = await slack.WaitForCountAsync(3);
        var reply = JsonDocument.Parse(posts[0].Body).RootElement;
        Assert.Equal("/chat.postMessage", posts[0].Path);
        Assert.Equal("Bearer xoxb-test", posts[0].Headers["Authorization"]);
        Assert.Equal("C42", reply.GetProperty("channel").GetString());
        Assert.Equal("1700000000.000100", reply.GetProperty("thread_ts").GetString());
        Assert.Equal("Setting a 1 second timer for 'mango'.", reply.GetProperty("text").GetString());

        // Then, as direct messages: the timer was set, and later it went off.
        var notifications = posts.Skip(1).Select(p => JsonDocument.Parse(p.Body).RootElement).ToList();
        Assert.All(notifications, n => Assert.Equal("U7", n.GetProperty("channel").GetString()));
        Assert.All(notifications, n => Assert.False(n.TryGetProperty("thread_ts", out _)));
        Assert.Contains("mango", notifications[1].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retried_event_runs_once_and_a_reply_in_a_thread_stays_in_it()
    {
        await using var slack = await FakeSlackAsync();
        await using var host = await StartAsync(slack);

        var first = await SendAsync(host, Message("Ev2", "<@UAPP> /help", ts: "1700000001.000200", threadTs: "1700000000.000001"));
        var retry = await SendAsync(host, Message("Ev2", "<@UAPP> /help", ts: "1700000001.000200", threadTs: "1700000000.000001"), retry: 1);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var post = JsonDocument.Parse((await slack.WaitForCountAsync(1))[0].Body).RootElement;
        Assert.Equal("1700000000.000001", post.GetProperty("thread_ts").GetString());
        Assert.StartsWith("Roles and their tools", post.GetProperty("text").GetString(), StringComparison.Ordinal);
        await Task.Delay(500);
        Assert.Single(slack.Received);
    }

    [Fact]
    public async Task After_a_restart_a_pending_reply_still_goes_into_its_thread_and_a_retry_of_its_event_is_still_a_duplicate()
    {
        // Slack is down while the first host answers: the reply waits in the outbox.
        await using (var down = await LoopbackReceiver.StartAsync(_ => Task.FromResult(Results.Json(new { ok = false, error = "service_unavailable" }))))
        await using (var first = await StartAsync(down))
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(first, Message("Ev8", "<@UAPP> /help", ts: "1700000008.000800", threadTs: "1700000000.000008"))).StatusCode);
            await down.WaitForCountAsync(1);
        }

        await using var slack = await FakeSlackAsync();
        await using var host = await StartAsync(slack);
        var retry = await SendAsync(host, Message("Ev8", "<@UAPP> /help", ts: "1700000008.000800", threadTs: "1700000000.000008"), retry: 2);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Contains("duplicate", await retry.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var post = JsonDocument.Parse((await slack.WaitForCountAsync(1))[0].Body).RootElement;
        Assert.Equal("C42", post.GetProperty("channel").GetString());
        Assert.Equal("1700000000.000008", post.GetProperty("thread_ts").GetString());
        await Task.Delay(500);
        Assert.Single(slack.Received);
    }

    [Fact]
    public void A_message_accepted_but_not_started_is_still_pending_when_the_inbox_is_opened_again_and_a_started_one_is_not()
    {
        var path = Path.Combine(_folder.Path, "data", "slack.db");
        using (var inbox = SlackInbox.Open(path, TimeProvider.System))
        {
            Assert.True(inbox.TryAccept("Ev10", new SlackMessage("Ev10", "U7", "C42", "1.10", "/help")));
            Assert.True(inbox.TryAccept("Ev11", new SlackMessage("Ev11", "U7", "C42", "1.11", "/timer list_timers")));
            Assert.True(inbox.TryAccept("Ev12", null));
            inbox.Started(new SlackMessage("Ev10", "U7", "C42", "1.10", "/help"), "r10");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using var reopened = SlackInbox.Open(path, TimeProvider.System);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var pending = new List<SlackMessage>();
        var reading = Task.Run(async () =>
        {
            await foreach (var message in reopened.PendingAsync(stop.Token))
            {
                pending.Add(message);
            }
        });

        Assert.ThrowsAny<OperationCanceledException>(() => reading.GetAwaiter().GetResult());
        Assert.Equal("Ev11", Assert.Single(pending).EventId);
        Assert.False(reopened.TryAccept("Ev10", null));
        Assert.False(reopened.TryAccept("Ev12", null));
        Assert.True(reopened.TryGetThread("r10", out var thread));
        Assert.Equal(("C42", "1.10"), thread);
        Assert.False(reopened.TryGetThread("r11", out _));
    }

    [Fact]
    public async Task Bots_and_edits_are_not_answered_and_malformed_events_are_problems()
    {
        await using var slack = await FakeSlackAsync();
        await using var host = await StartAsync(slack);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(host, new { type = "event_callback", event_id = "Ev3", @event = new { type = "message", subtype = "bot_message", text = "/help", channel = "C1", ts = "1.1", bot_id = "B1" } })).StatusCode);
        await RequestTests.AssertProblemAsync(await SendAsync(host, new { type = "event_callback", @event = new { type = "message" } }), 400, "event_id");
        await RequestTests.AssertProblemAsync(await SendAsync(host, new { type = "event_callback", event_id = "Ev4" }), 400, "event");
        await RequestTests.AssertProblemAsync(await SendAsync(host, new { type = "block_actions" }), 400, "type");
        await Task.Delay(300);
        Assert.Empty(slack.Received);
    }

    private static object Message(string eventId, string text, string ts, string? threadTs = null) => new
    {
        type = "event_callback",
        event_id = eventId,
        @event = threadTs is null
            ? (object)new { type = "message", user = "U7", channel = "C42", text, ts }
            : new { type = "app_mention", user = "U7", channel = "C42", text, ts, thread_ts = threadTs },
    };

    private static Task<LoopbackReceiver> FakeSlackAsync() =>
        LoopbackReceiver.StartAsync(_ => Task.FromResult(Results.Json(new { ok = true })));

    private Task<FrontDoorHost> StartAsync(LoopbackReceiver slack)
    {
        var options = FrontDoorHost.Options(_folder);
        return FrontDoorHost.StartAsync(options with
        {
            Channels = options.Channels with
            {
                Slack = new SlackOptions { Enabled = true, SigningSecretVariable = _secretVariable, BotTokenVariable = _tokenVariable, ApiBase = slack.Address.ToString() },
            },
        });
    }

    private static Task<HttpResponseMessage> SendAsync(FrontDoorHost host, object body, string secret = SigningSecret, DateTimeOffset? timestamp = null, int? retry = null)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        var ts = (timestamp ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, SlackEventsEndpoint.Path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(SlackSignature.TimestampHeader, ts);
        request.Headers.Add(SlackSignature.SignatureHeader, SlackSignature.Sign(secret, ts, bytes));
        if (retry is not null)
        {
            request.Headers.Add("X-Slack-Retry-Num", retry.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return host.Client.SendAsync(request);
    }
}
