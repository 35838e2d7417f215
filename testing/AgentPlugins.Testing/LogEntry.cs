using Microsoft.Extensions.Logging;

namespace AgentPlugins.Testing;

/// <summary>A line a role wrote to its <c>context.Log</c>.</summary>
public sealed record LogEntry(LogLevel Level, string Message, Exception? Exception);
