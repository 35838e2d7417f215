using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Roles;

public sealed class RoleLoadingTests
{
    private const string Good = """
        using AgentPlugins.Sdk;

        public sealed class EchoRole : IRole
        {
            public RoleConfig Config { get; } = new("echo", "1.0.0", "Echoes", WhenToUse: "tests");

            public void Register(RoleBuilder role) => role.Tools(this);

            [Microsoft.SemanticKernel.KernelFunction("say"), System.ComponentModel.Description("Say it back")]
            public ToolResult Say([System.ComponentModel.Description("Text")] string text) => ToolResult.Ok(text);
        }
        """;

    // Line 6, column 60: the undefined name.
    private const string Broken = """
        using AgentPlugins.Sdk;

        public sealed class BrokenRole : IRole
        {
            public RoleConfig Config { get; } = new("broken", "1.0.0", "Broken", WhenToUse: "tests");
            public void Register(RoleBuilder role) => role.On("X", Missing);
        }
        """;

    [Fact]
    public async Task A_good_file_loads_and_a_broken_one_is_reported_with_line_and_column()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["echo.cs"] = Good, ["broken.cs"] = Broken }).StartAsync();

        Assert.Equal(["echo"], test.Roles.Serving.Select(g => g.Name));
        var error = Assert.Single(test.StartupFailures);
        Assert.Equal((Path.Combine(test.RolesFolder, "broken.cs"), 6, 60, "CS0103"), (error.Path, error.Line, error.Column, error.Code));
        Assert.Equal($"{error.Path}(6,60): error CS0103: The name 'Missing' does not exist in the current context", error.ToString());
        Assert.Equal("hello", (await test.AskAsync("/echo say hello")).Text);
        var status = test.Roles.Status.Single(s => s.Path.EndsWith("broken.cs", StringComparison.Ordinal));
        Assert.Equal(RoleState.Failed, status.State);
    }

    [Fact]
    public async Task Register_that_throws_is_reported_naming_the_role_and_the_others_run()
    {
        var throwing = Good.Replace("\"echo\"", "\"thrower\"", StringComparison.Ordinal)
            .Replace("EchoRole", "ThrowerRole", StringComparison.Ordinal)
            .Replace("=> role.Tools(this);", "{ role.Tools(this); throw new InvalidOperationException(\"no database\"); }", StringComparison.Ordinal);
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["echo.cs"] = Good, ["thrower.cs"] = throwing }).StartAsync();

        var error = Assert.Single(test.StartupFailures);
        Assert.Equal(LoadCodes.RegisterThrew, error.Code);
        Assert.Contains("ThrowerRole.Register threw InvalidOperationException: no database", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("thrower.cs", error.Path, StringComparison.Ordinal);
        Assert.Equal(["echo"], test.Roles.Serving.Select(g => g.Name));
    }

    [Fact]
    public async Task Two_roles_with_the_same_name_keep_the_first_and_report_the_second()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["a_echo.cs"] = Good, ["b_echo.cs"] = Good }).StartAsync();

        var error = Assert.Single(test.StartupFailures);
        Assert.Equal(LoadCodes.DuplicateName, error.Code);
        Assert.EndsWith("b_echo.cs", error.Path, StringComparison.Ordinal);
        Assert.Contains("a_echo.cs", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("a_echo.cs", Assert.Single(test.Roles.Serving).Path, StringComparison.Ordinal);
    }

    // The role rules catch these before the role runs (AP0003, AP0004); the loader's own check (AP1005) stays for code the rules never saw.
    [Theory]
    [InlineData("\"Echo\"", "\"1.0.0\"", "AP0003", "Config.Name 'Echo' must be a lowercase identifier")]
    [InlineData("\"echo\"", "\"one\"", "AP0004", "Config.Version 'one' must be a semantic version")]
    public async Task An_incomplete_config_is_refused_with_what_to_fix(string name, string version, string code, string expected)
    {
        var source = Good.Replace("\"echo\"", name, StringComparison.Ordinal).Replace("\"1.0.0\"", version, StringComparison.Ordinal);
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["echo.cs"] = source }).StartAsync();

        var error = Assert.Single(test.StartupFailures);
        Assert.Equal(code, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(test.Roles.Serving);
    }

    [Fact]
    public async Task A_file_without_a_role_is_refused()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["nothing.cs"] = "public sealed class NotARole { }" }).StartAsync();

        Assert.Equal("AP0001", Assert.Single(test.StartupFailures).Code);
    }

    [Fact]
    public async Task Each_role_gets_its_own_collectible_context_sharing_sdk_types_with_the_host()
    {
        var other = Good.Replace("\"echo\"", "\"echo2\"", StringComparison.Ordinal).Replace("EchoRole", "Echo2Role", StringComparison.Ordinal);
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["echo.cs"] = Good, ["echo2.cs"] = other }).StartAsync();

        var contexts = test.Roles.Serving
            .Select(g => System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(g.Role!.GetType().Assembly)!)
            .ToList();

        Assert.Equal(2, contexts.Distinct().Count());
        Assert.All(contexts, c => Assert.True(c.IsCollectible));
        Assert.All(test.Roles.Serving, g => Assert.IsType<AgentPlugins.Sdk.IRole>(g.Role, exactMatch: false));
    }

    [Fact]
    public void A_tool_signature_with_a_role_defined_type_is_refused_because_it_would_pin_the_role()
    {
        const string Pinning = """
            using AgentPlugins.Sdk;
            public enum Mood { Happy, Sad }
            public sealed class MoodRole : IRole
            {
                public RoleConfig Config { get; } = new("mood", "1.0.0", "Moods", WhenToUse: "tests");
                public void Register(RoleBuilder role) => role.Tools(this);
                [Microsoft.SemanticKernel.KernelFunction] public ToolResult Set(Mood mood) => ToolResult.Ok("ok");
            }
            """;

        var failure = Assert.Throws<RoleLoadFailedException>(() => RoleFactory.FromSource("/tmp/mood.cs", Pinning));

        // The role rules refuse it before it runs (AP0206) ...
        var rule = Assert.Single(failure.Diagnostics, d => d.Code == "AP0206");
        Assert.Contains("parameter mood uses Mood, a type the role defines", rule.Message, StringComparison.Ordinal);

        // ... and the loader's own check still catches it in code the rules never saw.
        var withoutRules = new Host.Compilation.RoleCompiler(Host.Compilation.ReferenceSet.Default).Compile(Host.Compilation.RoleFile.FromText("/tmp/mood.cs", Pinning));
        var runtime = Assert.Throws<RoleLoadFailedException>(() => new RoleInstantiator(_ => AgentPlugins.Sdk.RoleSettings.Empty).Instantiate(withoutRules));
        var error = Assert.Single(runtime.Diagnostics);
        Assert.Equal(LoadCodes.PinningToolSignature, error.Code);
        Assert.Contains("Set(mood: Mood)", error.Message, StringComparison.Ordinal);
    }
}
