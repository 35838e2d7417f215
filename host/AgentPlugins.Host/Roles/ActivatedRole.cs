using System.Reflection;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Roles;

/// <summary>A role started by <see cref="RoleActivator"/>: its assembly, the instance, its config, what it registered and its tools.</summary>
internal sealed record ActivatedRole(Assembly Assembly, IRole Role, RoleConfig Config, RoleBuilder Registration, KernelPlugin Tools);
