using AgentPlugins.Host.Validation;

namespace AgentPlugins.Host.Commands;

/// <summary>The arguments of <c>host validate</c>.</summary>
/// <param name="Paths">Role files or folders; empty means the roles folder from plugins.json.</param>
/// <param name="Format">Text (compiler format) or JSON.</param>
/// <param name="Strict">Treat warnings as errors.</param>
/// <param name="ConfigPath">plugins.json to read the roles folder from.</param>
internal sealed record ValidateRequest(IReadOnlyList<string> Paths, ReportFormat Format = ReportFormat.Text, bool Strict = false, string? ConfigPath = null);
