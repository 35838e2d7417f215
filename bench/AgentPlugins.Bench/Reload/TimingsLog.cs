using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Bench.Reload;

/// <summary>Keeps the reloader's "Reload timings" lines (logged at Debug) of an in-process runtime, and nothing else.</summary>
internal sealed class TimingsLog : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) =>
        categoryName.EndsWith(".RoleReloader", StringComparison.Ordinal) ? new Logger(_lines) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (message.StartsWith("Reload timings", StringComparison.Ordinal))
            {
                lines.Enqueue(message);
            }
        }
    }
}
