using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Roles.Unloading;

namespace AgentPlugins.Tests.Reload;

public sealed class LeakSuspectsTests
{
    // Without the role rules, which refuse each of these causes before a role runs: leak suspects are
    // named for code the rules never saw (compiled plugins).
    private static readonly RoleCompiler Compiler = new(ReferenceSet.Default);

    [Theory]
    [InlineData("AppDomain.CurrentDomain.UnhandledException += (s, e) => { };", "subscribes to System.AppDomain.UnhandledException")]
    [InlineData("_ = new System.Threading.Timer(_ => { }, null, 1000, 1000);", "creates a System.Threading.Timer that is never disposed")]
    [InlineData("new Thread(() => { }).Start();", "starts its own thread")]
    [InlineData("System.ComponentModel.TypeDescriptor.GetConverter(GetType());", "uses TypeDescriptor")]
    public void The_likely_cause_of_a_leak_is_named_from_the_roles_code(string statement, string expected)
    {
        var compiled = Compiler.Compile(Host.Compilation.RoleFile.FromText("/roles/suspect.cs", Role(statement)));
        Assert.True(compiled.Succeeded, string.Join(Environment.NewLine, compiled.Errors));

        Assert.Contains(expected, LeakSuspects.Describe(compiled.Assembly), StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_with_no_known_cause_says_so()
    {
        var compiled = Compiler.Compile(Host.Compilation.RoleFile.FromText("/roles/clean.cs", Role("var list = new List<int> { 1 }; list.Add(2);")));
        Assert.True(compiled.Succeeded, string.Join(Environment.NewLine, compiled.Errors));

        Assert.StartsWith("nothing in the role's own code is a known cause", LeakSuspects.Describe(compiled.Assembly), StringComparison.Ordinal);
    }

    private static string Role(string statement) => $$"""
        using AgentPlugins.Sdk;

        public sealed class SuspectRole : IRole
        {
            public RoleConfig Config { get; } = new("suspect", "1.0.0", "Does something that may pin it", WhenToUse: "tests");

            public void Register(RoleBuilder role)
            {
                {{statement}}
            }
        }
        """;
}
