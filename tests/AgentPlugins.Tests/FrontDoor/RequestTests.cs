using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.FrontDoor;

/// <summary><c>POST /api/requests</c> on real Kestrel: the console's path, bounded waits, rate limits.</summary>
public sealed class RequestTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_direct_command_answers_with_the_reply()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder));

        var response = await host.Client.PostAsJsonAsync("/api/requests", new { text = "/timer set_timer 5m tea", user = "ann" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("completed", answer.GetProperty("status").GetString());
        Assert.True(answer.GetProperty("success").GetBoolean());
        Assert.Equal("Setting a 5 minute timer for 'tea'.", answer.GetProperty("reply").GetString());
        Assert.StartsWith("r", answer.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_answered_at_once_is_not_kept_and_every_request_has_an_id_of_its_own()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder));

        var ids = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            // A user each: one user's 50 requests in a row would meet the rate limit.
            var answer = await (await host.Client.PostAsJsonAsync("/api/requests", new { text = "/timer list_timers", user = $"user{i}" })).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("completed", answer.GetProperty("status").GetString());
            ids.Add(answer.GetProperty("id").GetString()!);
        }

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^r[0-9a-f]{16}$", id));
        await AssertProblemAsync(await host.Client.GetAsync($"/api/requests/{ids[0]}"), 404, "id");
    }

    [Fact]
    public async Task An_unknown_role_is_a_completed_request_that_did_not_succeed()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder));

        var answer = await (await host.Client.PostAsJsonAsync("/api/requests", new { text = "/nosuch do", user = "ann" })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.False(answer.GetProperty("success").GetBoolean());
        Assert.Contains("Unknown role 'nosuch'", answer.GetProperty("reply").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_past_the_bounded_wait_gets_202_and_can_be_followed_by_id()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder, http => http with { RequestTimeout = TimeSpan.FromMilliseconds(200) }));
        using var release = new ManualResetEventSlim();
        var holding = host.Loop.InvokeAsync(() => release.Wait(TimeSpan.FromSeconds(30)));

        var response = await host.Client.PostAsJsonAsync("/api/requests", new { text = "/timer list_timers", user = "ann" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = accepted.GetProperty("id").GetString();
        Assert.Equal("running", accepted.GetProperty("status").GetString());
        Assert.Equal($"/api/requests/{id}", response.Headers.Location?.ToString());
        Assert.Equal("running", (await host.Client.GetFromJsonAsync<JsonElement>($"/api/requests/{id}")).GetProperty("status").GetString());

        release.Set();
        await holding;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement state;
        do
        {
            state = await host.Client.GetFromJsonAsync<JsonElement>($"/api/requests/{id}");
        }
        while (state.GetProperty("status").GetString() == "running" && DateTime.UtcNow < deadline && await Delay());

        Assert.Equal("completed", state.GetProperty("status").GetString());
        Assert.Equal("Listing your timers.", state.GetProperty("reply").GetString());
    }

    [Fact]
    public async Task A_user_over_the_rate_limit_gets_429_with_retry_after_and_others_are_served()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder, http => http with { RateLimit = new() { Burst = 2, PermitsPerSecond = 1 } }));

        var codes = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 4; i++)
        {
            var response = await host.Client.PostAsJsonAsync("/api/requests", new { text = "/help", user = "chatty" });
            codes.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.Equal(HttpStatusCode.OK, codes[0]);
        Assert.NotNull(limited);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal("user", (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsJsonAsync("/api/requests", new { text = "/help", user = "quiet" })).StatusCode);
    }

    [Theory]
    [InlineData("{\"text\": \"/help\"", 400, "body")]
    [InlineData("{\"text\": 5, \"user\": \"ann\"}", 400, "$.text")]
    [InlineData("{\"text\": \"/help\", \"user\": [1]}", 400, "$.user")]
    [InlineData("{\"user\": \"ann\"}", 400, "text")]
    [InlineData("{\"text\": \"/help\"}", 400, "user")]
    [InlineData("{\"text\": \"/help\", \"user\": \"\"}", 400, "user")]
    [InlineData("{\"text\": \"/help\", \"user\": \"ann\", \"colour\": 1}", 400, "$.colour")]
    [InlineData("[1, 2]", 400, "body")]
    [InlineData("null", 400, "body")]
    [InlineData("", 400, "body")]
    public async Task Bad_bodies_get_problem_json_naming_the_field(string body, int status, string field)
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder));

        var response = await host.Client.PostAsync("/api/requests", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, status, field);
    }

    [Fact]
    public async Task Wrong_content_type_oversized_bodies_and_unknown_routes_are_problems_too()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder, http => http with { MaxBodyBytes = 2048 }));

        await AssertProblemAsync(await host.Client.PostAsync("/api/requests", new StringContent("text=/help", Encoding.UTF8, "text/plain")), 415, "Content-Type");
        var big = JsonSerializer.Serialize(new { text = new string('x', 5000), user = "ann" });
        await AssertProblemAsync(await host.Client.PostAsync("/api/requests", new StringContent(big, Encoding.UTF8, "application/json")), 413, "body");
        var chunked = new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new("application/json");
        await AssertProblemAsync(await host.Client.PostAsync("/api/requests", chunked), 413, "body");
        var unknown = await host.Client.GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        await AssertProblemAsync(await host.Client.GetAsync("/api/requests/r000"), 404, "id");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsJsonAsync("/api/requests", new { text = "/help", user = "ann" })).StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_of_exactly_the_limit_is_read_whole_and_one_byte_more_is_refused(bool chunked)
    {
        const int limit = 20_000;
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder, http => http with { MaxBodyBytes = limit }));
        var envelope = JsonSerializer.Serialize(new { text = "/help", user = "ann" });
        var padding = new string(' ', limit - envelope.Length);

        // Whitespace before the object: the body is read past the first buffer before anything parses it.
        var exact = await host.Client.PostAsync("/api/requests", Body(padding + envelope, chunked));
        var over = await host.Client.PostAsync("/api/requests", Body(padding + " " + envelope, chunked));

        Assert.True(exact.StatusCode == HttpStatusCode.OK, await exact.Content.ReadAsStringAsync());
        Assert.Equal("completed", JsonDocument.Parse(await exact.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        await AssertProblemAsync(over, 413, "body");
    }

    private static HttpContent Body(string json, bool chunked)
    {
        HttpContent content = chunked ? new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(json))) : new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new("application/json");
        return content;
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, int status, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    /// <summary>A body of unknown length, so the client sends it chunked and only reading it finds it too large.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(50);
        return true;
    }
}
