using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace AgentPlugins.Bench.Http;

/// <summary>
/// One user's open event stream, read on its own task: each notification's text carries
/// <c>tag:timestamp</c>, and the reader notes how long after that timestamp it parsed the event.
/// </summary>
internal sealed class SseLatencyReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;
    private TaskCompletionSource<double> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _expected = -1;

    private SseLatencyReader(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
        _reading = Task.Run(ReadAsync);
    }

    public static async Task<SseLatencyReader> OpenAsync(HttpClient client, string user, CancellationToken cancellationToken)
    {
        var response = await client.GetAsync($"/api/events?user={user}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken) is { } line && line != ": connected")
        {
        }

        return new SseLatencyReader(response, reader);
    }

    /// <summary>Waits for notifications tagged <paramref name="tag"/> from now on.</summary>
    public void Expect(int tag)
    {
        _received = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _expected, tag);
    }

    public Task<double> ReceivedAsync(TimeSpan timeout) => _received.Task.WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try
        {
            await _reading;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The stream was closed under the reader: that is how it ends.
        }

        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        while (await _reader.ReadLineAsync(_stop.Token) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var now = Stopwatch.GetTimestamp();
            var text = JsonDocument.Parse(line.AsMemory(6)).RootElement.GetProperty("text").GetString()!;
            var parts = text.Split(':');
            if (int.Parse(parts[0], CultureInfo.InvariantCulture) == Volatile.Read(ref _expected))
            {
                _received.TrySetResult((now - long.Parse(parts[1], CultureInfo.InvariantCulture)) * 1000.0 / Stopwatch.Frequency);
            }
        }
    }
}
