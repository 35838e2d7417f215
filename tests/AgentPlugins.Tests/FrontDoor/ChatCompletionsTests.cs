using System.ClientModel;
using System.Net.Http.Json;
using System.Text;
using AgentPlugins.Tests.Support;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace AgentPlugins.Tests.FrontDoor;

/// <summary>The OpenAI-compatible endpoint, driven by the official OpenAI .NET client against real Kestrel.</summary>
public sealed class ChatCompletionsTests : IDisposable
{
    private const string Token = "chat-token";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_official_client_gets_a_direct_commands_reply()
    {
        await using var host = await StartAsync();

        var completion = await Client(host, "agentplugins").CompleteChatAsync([new UserChatMessage("/timer set_timer 5m tea")]);

        Assert.Equal("Setting a 5 minute timer for 'tea'.", completion.Value.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.Value.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, completion.Value.Role);
    }

    [Fact]
    public async Task Streaming_gives_the_reply_in_chunks_and_ends()
    {
        await using var host = await StartAsync();

        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in Client(host, "agentplugins/timer").CompleteChatStreamingAsync([new UserChatMessage("list_timers")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal("Listing your timers.", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
    }

    [Fact]
    public async Task The_raw_stream_uses_the_openai_chunk_format_and_done()
    {
        await using var host = await StartAsync();

        var response = await host.Client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "agentplugins",
            stream = true,
            messages = new object[] { new { role = "system", content = "be brief" }, new { role = "user", content = new[] { new { type = "text", text = "/help" } } } },
        });

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.StartsWith("data: ", line, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", lines[^1]);
        Assert.Contains("\"object\":\"chat.completion.chunk\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"finish_reason\":\"stop\"", lines[^2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_list_agentplugins_and_one_per_role()
    {
        await using var host = await StartAsync();

        var models = await new OpenAIModelClient(new ApiKeyCredential(Token), Options(host)).GetModelsAsync();

        Assert.Contains(models.Value, m => m.Id == "agentplugins");
        Assert.Contains(models.Value, m => m.Id == "agentplugins/timer");
    }

    [Fact]
    public async Task The_user_field_is_the_user_whose_stream_gets_the_notifications()
    {
        await using var host = await StartAsync();
        await using var stream = await SseReader.OpenAsync(host.Client, "/api/events?user=opal");

        await Client(host, "agentplugins/timer").CompleteChatAsync([new UserChatMessage("set_timer 1s mint")], new ChatCompletionOptions { EndUserId = "opal" });

        var notification = await stream.WaitForAsync(e => e.Kind == "notification");
        Assert.Contains("mint", notification.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_chat_requests_are_problems_naming_the_field()
    {
        await using var host = await StartAsync();

        await RequestTests.AssertProblemAsync(await host.Client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "hi" } } }), 400, "model");
        await RequestTests.AssertProblemAsync(await host.Client.PostAsJsonAsync("/v1/chat/completions", new { model = "gpt-4o", messages = new[] { new { role = "user", content = "hi" } } }), 400, "model");
        await RequestTests.AssertProblemAsync(await host.Client.PostAsJsonAsync("/v1/chat/completions", new { model = "agentplugins/nosuch", messages = new[] { new { role = "user", content = "hi" } } }), 400, "model");
        await RequestTests.AssertProblemAsync(await host.Client.PostAsJsonAsync("/v1/chat/completions", new { model = "agentplugins", messages = Array.Empty<object>() }), 400, "messages");
        await RequestTests.AssertProblemAsync(await host.Client.PostAsJsonAsync("/v1/chat/completions", new { model = "agentplugins", messages = new[] { new { role = "system", content = "hi" } } }), 400, "messages");
        await RequestTests.AssertProblemAsync(await host.Client.PostAsJsonAsync("/v1/chat/completions", new { model = "agentplugins", messages = new[] { new { role = "user", content = 5 } } }), 400, "messages[0].content");
        await RequestTests.AssertProblemAsync(await host.Client.PostAsJsonAsync("/v1/chat/completions", new { model = "agentplugins", stream = "yes", messages = new[] { new { role = "user", content = "hi" } } }), 400, "$.stream");
        using var unauthorized = new HttpClient { BaseAddress = host.Address };
        await RequestTests.AssertProblemAsync(await unauthorized.PostAsJsonAsync("/v1/chat/completions", new { model = "agentplugins", messages = new[] { new { role = "user", content = "/help" } } }), 401, "Authorization");
    }

    private Task<FrontDoorHost> StartAsync() =>
        FrontDoorHost.StartAsync(FrontDoorHost.Options(_folder), token: Token, tokenVariable: "FRONTDOOR_TEST_CHAT_" + Guid.NewGuid().ToString("N")[..8]);

    private static ChatClient Client(FrontDoorHost host, string model) => new(model, new ApiKeyCredential(Token), Options(host));

    private static OpenAIClientOptions Options(FrontDoorHost host) => new() { Endpoint = new Uri(host.Address, "/v1"), NetworkTimeout = TimeSpan.FromSeconds(60) };
}
