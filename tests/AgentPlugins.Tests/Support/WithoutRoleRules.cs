using AgentPlugins.Host.Configuration;

namespace AgentPlugins.Tests.Support;

/// <summary>
/// Runs roles without the role rules (docs/rules.md), the way a compiled plugin reaches the host, for
/// tests of the run-time safety nets (watchdog, leak detection, unrouted intents, load failures) that
/// exist for code the rules never saw. Such tests use what the rules forbid on purpose.
/// </summary>
internal static class WithoutRoleRules
{
    public static AgentPluginsOptions Options(AgentPluginsOptions options) => options with { Roles = Roles(options.Roles) };

    public static RolesOptions Roles(RolesOptions roles) => roles with { CheckRules = false };
}
