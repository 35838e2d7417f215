using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.FrontDoor;

/// <summary><c>/api/roles</c>, <c>/api/timers</c>, <c>/api/validate</c> and the OpenAPI document.</summary>
public sealed class StatusTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Roles_show_generation_state_and_a_broken_files_diagnostics_with_line_and_column()
    {
        _folder.Write("roles/broken.cs", "public sealed class Broken : AgentPlugins.Sdk.IRole { int x = ; }");
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder));

        var answer = await host.Client.GetFromJsonAsync<JsonElement>("/api/roles");

        var roles = answer.GetProperty("roles").EnumerateArray().ToList();
        var timer = roles.Single(r => r.GetProperty("name").GetString() == "timer");
        Assert.Equal("active", timer.GetProperty("state").GetString());
        Assert.Equal(1, timer.GetProperty("generation").GetInt32());
        Assert.Equal(1, timer.GetProperty("generationsInMemory").GetInt32());
        Assert.Equal(0, timer.GetProperty("leaked").GetInt32());
        var broken = roles.Single(r => r.GetProperty("path").GetString()!.EndsWith("broken.cs", StringComparison.Ordinal));
        Assert.Equal("failed", broken.GetProperty("state").GetString());
        var diagnostic = broken.GetProperty("diagnostics").EnumerateArray().First(d => d.GetProperty("code").GetString() == "CS1525");
        Assert.Equal(1, diagnostic.GetProperty("line").GetInt32());
        Assert.Equal(63, diagnostic.GetProperty("column").GetInt32());
        Assert.Contains("broken.cs(1,63): error CS1525", diagnostic.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, answer.GetProperty("leaked").GetInt64());
    }

    [Fact]
    public async Task Timers_are_listed_per_user()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder));
        await host.Client.PostAsJsonAsync("/api/requests", new { text = "/timer set_timer 10m pasta", user = "ann" });

        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<JsonElement> timers;
        do
        {
            timers = (await host.Client.GetFromJsonAsync<JsonElement>("/api/timers?user=ann")).EnumerateArray().ToList();
        }
        while (timers.Count == 0 && DateTime.UtcNow < deadline && await Task.Delay(50).ContinueWith(_ => true));

        var pasta = Assert.Single(timers);
        Assert.Equal("pasta", pasta.GetProperty("label").GetString());
        Assert.Equal("ann", pasta.GetProperty("user").GetString());
        Assert.True(pasta.GetProperty("dueAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(9));
        Assert.Empty((await host.Client.GetFromJsonAsync<JsonElement>("/api/timers?user=bob")).EnumerateArray());
        await RequestTests.AssertProblemAsync(await host.Client.GetAsync("/api/timers"), 400, "user");
    }

    [Fact]
    public async Task Validate_answers_the_diagnostics_of_host_validate_json_for_the_source_sent()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder));

        var broken = await host.Client.PostAsJsonAsync("/api/validate", new { source = "public sealed class Broken : AgentPlugins.Sdk.IRole { int x = ; }", path = "broken.cs" });
        var good = await host.Client.PostAsJsonAsync("/api/validate", new { source = File.ReadAllText(Repository.SampleRole("timer.cs")), path = "timer.cs" });

        Assert.Equal(HttpStatusCode.OK, broken.StatusCode);
        var diagnostics = (await broken.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        Assert.All(diagnostics, d => Assert.Equal("broken.cs", d.GetProperty("file").GetString()));
        var first = diagnostics.First(d => d.GetProperty("code").GetString() == "CS1525");
        Assert.Equal(1, first.GetProperty("line").GetInt32());
        Assert.Equal(63, first.GetProperty("column").GetInt32());
        Assert.Equal("error", first.GetProperty("severity").GetString());
        Assert.Empty((await good.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray());
        await RequestTests.AssertProblemAsync(await host.Client.PostAsJsonAsync("/api/validate", new { path = "x.cs" }), 400, "source");
        await RequestTests.AssertProblemAsync(await host.Client.PostAsJsonAsync("/api/validate", new { source = "", path = "../x.cs" }), 400, "path");
        await RequestTests.AssertProblemAsync(await host.Client.PostAsJsonAsync("/api/validate", new { source = "", path = "x.txt" }), 400, "path");
    }

    [Fact]
    public async Task The_openapi_document_lists_the_endpoints()
    {
        await using var host = await FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder));

        var document = await host.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/requests", "/api/events", "/api/roles", "/api/timers", "/api/validate", "/healthz", "/readyz" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document.");
        }
    }
}
