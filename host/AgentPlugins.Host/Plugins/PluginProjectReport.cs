using AgentPlugins.Host.Validation;

namespace AgentPlugins.Host.Plugins;

/// <summary>What <c>host validate</c> found in one plugin project.</summary>
/// <param name="Project">The project as MSBuild evaluated it.</param>
/// <param name="Result">The diagnostics, by source file (and by plugin role for the load checks).</param>
/// <param name="Build">The build the load checks ran on, or null when the project has none.</param>
/// <param name="Notes">What the user should know about what was (not) checked.</param>
internal sealed record PluginProjectReport(EvaluatedProject Project, ValidationResult Result, string? Build, IReadOnlyList<string> Notes);
