using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;

namespace AgentPlugins.Tests.Support;

/// <summary>Compiles and instantiates a role the way the host does, for tests that look inside one generation.</summary>
internal static class RoleFactory
{
    private static readonly RoleCompiler Compiler = new(ReferenceSet.Default, Host.Validation.RoleRules.Check);

    public static RoleGeneration FromFile(string path) => FromSource(path, File.ReadAllText(path));

    public static RoleGeneration FromSource(string path, string source) =>
        new RoleInstantiator(_ => RoleSettings.Empty).Instantiate(Compiler.Compile(Host.Compilation.RoleFile.FromText(path, source)));

    public static CompiledRole Compile(string path, string source) => Compiler.Compile(Host.Compilation.RoleFile.FromText(path, source));
}
