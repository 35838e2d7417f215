using Microsoft.Extensions.Logging;

namespace AgentPlugins.Testing;

// A role's context.Log, keeping what it wrote for the test.
internal sealed class RecordingLogger(List<LogEntry> entries, Lock gate) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (gate)
        {
            entries.Add(new LogEntry(logLevel, formatter(state, exception), exception));
        }
    }
}
