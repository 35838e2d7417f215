using System.Net;
using System.Net.Http.Json;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.FrontDoor;

/// <summary><c>/healthz</c> follows the loop, <c>/readyz</c> the start-up; neither needs the token.</summary>
public sealed class HealthTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_stuck_loop_turns_healthz_red_and_it_recovers_when_the_loop_does()
    {
        await using var host = await FrontDoorHost.StartAsync(
            FrontDoorHost.Options(_folder, http => http with { HealthTimeout = TimeSpan.FromMilliseconds(300) }),
            token: null);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/readyz")).StatusCode);

        using var release = new ManualResetEventSlim();
        var holding = host.Loop.InvokeAsync(() => release.Wait(TimeSpan.FromSeconds(30)));
        var stuck = await host.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, stuck.StatusCode);
        Assert.Contains("http:healthTimeout", (await stuck.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        release.Set();
        await holding;
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task The_token_is_required_everywhere_but_health()
    {
        var variable = "FRONTDOOR_TEST_TOKEN_" + Guid.NewGuid().ToString("N")[..8];
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder), token: "s3cret-token", tokenVariable: variable);
        using var anonymous = new HttpClient { BaseAddress = host.Address };
        using var wrong = new HttpClient { BaseAddress = host.Address };
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", "guess");

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).StatusCode);
        var missing = await anonymous.PostAsJsonAsync("/api/requests", new { text = "/help", user = "ann" });
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        await RequestTests.AssertProblemAsync(missing, 401, "Authorization");
        await RequestTests.AssertProblemAsync(await wrong.PostAsJsonAsync("/api/requests", new { text = "/help", user = "ann" }), 401, "Authorization");
        await RequestTests.AssertProblemAsync(await anonymous.GetAsync("/api/events?user=ann"), 401, "Authorization");
        await RequestTests.AssertProblemAsync(await anonymous.GetAsync("/no/such/route"), 401, "Authorization");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsJsonAsync("/api/requests", new { text = "/help", user = "ann" })).StatusCode);
        await using var byQuery = await SseReader.OpenAsync(anonymous, "/api/events?user=ann&access_token=s3cret-token");
    }
}
