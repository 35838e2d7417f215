using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Tests.Configuration;

/// <summary>Editing plugins.json while the host runs reloads the roles whose settings changed, and says so.</summary>
public sealed class RoleSettingsReloadTests
{
    private const string Greeter = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class GreeterRole : IRole
        {
            public RoleConfig Config { get; } = new("greeter", "1.0.0", "Greets", WhenToUse: "settings reload tests");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("greet"), Description("Greets with the configured word")]
            public ToolResult Greet(ToolContext context) => ToolResult.Ok(context.Settings["greeting"] ?? "(none)");
        }
        """;

    private const string Other = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class OtherRole : IRole
        {
            public RoleConfig Config { get; } = new("other", "1.0.0", "Stays", WhenToUse: "settings reload tests");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("word"), Description("Says its word")]
            public ToolResult Word(ToolContext context) => ToolResult.Ok(context.Settings["word"] ?? "(none)");
        }
        """;

    private static Dictionary<string, Dictionary<string, string>> Settings(string greeting, string word = "same") => new(StringComparer.OrdinalIgnoreCase)
    {
        ["greeter"] = new(StringComparer.OrdinalIgnoreCase) { ["greeting"] = greeting },
        ["other"] = new(StringComparer.OrdinalIgnoreCase) { ["word"] = word },
    };

    private static async Task<TestRuntime> StartAsync(LogRecorder? logs = null)
    {
        var test = await TestRuntime.Create(
            new Dictionary<string, string> { ["greeter.cs"] = Greeter, ["other.cs"] = Other },
            configure: options => options with { Roles = options.Roles with { Settings = Settings("hello") } },
            logs: logs).StartAsync();
        Assert.Empty(test.StartupFailures);
        return test;
    }

    private static RoleSettingsReloader Reloader(TestRuntime test, string configPath, ILoggerFactory? logs = null) => new(
        configPath,
        null,
        test.Get<RoleSettingsSource>(),
        test.Roles,
        test.Get<ChannelRegistry>(),
        test.RolesFolder,
        (logs ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<RoleSettingsReloader>());

    [Fact]
    public async Task Changed_settings_reload_only_the_roles_they_belong_to_and_the_console_and_log_say_so()
    {
        var logs = new LogRecorder();
        await using var test = await StartAsync(logs);
        using var reloader = Reloader(test, Path.Combine(test.Folder.Path, "plugins.json"), logs);
        Assert.Equal("hello", (await test.AskAsync("/greeter greet")).Text);

        var changed = await reloader.ApplyAsync(Settings("bonjour"));

        Assert.Equal(["greeter"], changed);
        Assert.Equal("bonjour", (await test.AskAsync("/greeter greet")).Text);
        Assert.Equal(2, test.StatusOf("greeter.cs")!.Generation);
        Assert.Equal(1, test.StatusOf("other.cs")!.Generation);
        const string notice = "plugins.json: the settings of role greeter changed (greeting); reloading it.";
        Assert.Contains(test.Console.Messages, m => m.Text == notice);
        Assert.Contains(notice, logs.At(LogLevel.Information));
    }

    [Fact]
    public async Task A_reload_that_cannot_read_its_secret_keeps_the_old_generation_serving()
    {
        await using var test = await StartAsync();
        using var reloader = Reloader(test, Path.Combine(test.Folder.Path, "plugins.json"));
        var next = Settings("hello");
        next["greeter"]["greetingVariable"] = $"AP_TEST_UNSET_{Guid.NewGuid():N}";
        next["greeter"].Remove("greeting");

        await reloader.ApplyAsync(next);

        var status = test.StatusOf("greeter.cs")!;
        Assert.Equal((RoleState.Failed, 1), (status.State, status.Generation));
        Assert.Contains(status.LastErrors, e => e.Code == LoadCodes.InvalidSettings);
        Assert.Equal("hello", (await test.AskAsync("/greeter greet")).Text);
    }

    [Fact]
    public async Task Saving_plugins_json_while_the_host_runs_reloads_the_role_with_its_new_settings()
    {
        await using var test = await StartAsync();
        var path = test.Folder.Write("plugins.json", """{ "roles": { "settings": { "greeter": { "greeting": "hello" }, "other": { "word": "same" } } } }""");
        using var reloader = Reloader(test, path);
        await reloader.StartAsync(CancellationToken.None);

        await File.WriteAllTextAsync(path, """{ "roles": { "settings": { "greeter": { "greeting": "hola" }, "other": { "word": "same" } } } }""");

        await test.WaitForAsync("greeter.cs", s => s.Generation == 2, TimeSpan.FromSeconds(30));
        Assert.Equal("hola", (await test.AskAsync("/greeter greet")).Text);
        Assert.Equal(1, test.StatusOf("other.cs")!.Generation);
        await reloader.StopAsync(CancellationToken.None);
    }
}
