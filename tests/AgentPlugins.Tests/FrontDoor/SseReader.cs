using System.Text;
using System.Text.Json;

namespace AgentPlugins.Tests.FrontDoor;

/// <summary>A Server-Sent Events client over a real HTTP response: reads events as a browser's EventSource does.</summary>
internal sealed class SseReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseReader(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        _reader = new StreamReader(stream, Encoding.UTF8);
    }

    /// <summary>Opens the stream and waits for the server's <c>: connected</c> comment, so what follows is seen.</summary>
    public static async Task<SseReader> OpenAsync(HttpClient client, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var reader = new SseReader(response, await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await reader._reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line == ": connected")
            {
                return reader;
            }
        }

        throw new InvalidOperationException("The stream ended before it said it was connected.");
    }

    /// <summary>The next event (not a comment), or null when the stream ends.</summary>
    public async Task<SseEvent?> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        string? id = null, type = null;
        var data = new StringBuilder();
        while (await _reader.ReadLineAsync(cancel.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    return new SseEvent(id, type ?? "message", data.ToString());
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data.Append(data.Length > 0 ? "\n" : string.Empty).Append(value); break;
            }
        }

        return null;
    }

    /// <summary>Reads events until one matches.</summary>
    public async Task<SseEvent> WaitForAsync(Func<SseEvent, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        while (DateTime.UtcNow < deadline)
        {
            var next = await NextAsync(deadline - DateTime.UtcNow) ?? throw new InvalidOperationException($"The stream ended; saw: {string.Join(" | ", seen)}");
            if (match(next))
            {
                return next;
            }

            seen.Add(next.Data);
        }

        throw new TimeoutException($"No matching event; saw: {string.Join(" | ", seen)}");
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        await Task.CompletedTask;
    }
}

/// <summary>One event of a stream.</summary>
internal sealed record SseEvent(string? Id, string Type, string Data)
{
    public string Text => JsonDocument.Parse(Data).RootElement.GetProperty("text").GetString()!;

    public string Kind => JsonDocument.Parse(Data).RootElement.GetProperty("kind").GetString()!;
}
