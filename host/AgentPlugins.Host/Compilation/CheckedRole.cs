using AgentPlugins.Host.Validation;

namespace AgentPlugins.Host.Compilation;

/// <summary>A role file compiled and checked: the compile result, and the facts the folder rules need from it.</summary>
internal sealed record CheckedRole(CompiledRole Compiled, RoleFacts Facts);
