using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Tests.Support;

/// <summary>A real logger factory that keeps every line (level and message), so tests can count what was said.</summary>
internal sealed class LogRecorder : ILoggerFactory, ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Lines => [.. _lines];

    public IEnumerable<string> At(LogLevel level) => Lines.Where(l => l.Level == level).Select(l => l.Message);

    /// <summary>The first line that contains <paramref name="text"/>, waiting up to <paramref name="timeout"/> for it.</summary>
    public async Task<string> WaitForAsync(string text, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_lines.FirstOrDefault(l => l.Message.Contains(text, StringComparison.Ordinal)) is { Message: { } line })
            {
                return line;
            }

            try
            {
                await Task.Delay(10, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No log line with '{text}' within {timeout}; the log has: {string.Join(" | ", _lines.Select(l => l.Message))}");
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(LogRecorder recorder, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            recorder._lines.Enqueue((logLevel, category, formatter(state, exception)));
    }
}
