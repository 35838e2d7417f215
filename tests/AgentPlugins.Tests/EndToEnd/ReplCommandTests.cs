using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.EndToEnd;

// `host repl` driven through the real process's standard input, as a person types.
public sealed class ReplCommandTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Loads_a_role_by_name_calls_its_tools_runs_its_intents_and_raises_events()
    {
        await using var repl = HostProcess.Start(Repository.Root, "repl");

        await repl.SendAsync("Load(\"timer\")");
        await repl.WaitForStdoutAsync(l => l.Contains("Loaded timer 3.0.0", StringComparison.Ordinal), Patience);
        await repl.SendAsync("var set = Call(\"set_timer\", new { duration = \"5m\", label = \"tea\" });");
        await repl.SendAsync("set");
        await repl.WaitForStdoutAsync(l => l.Contains("intent: CreateTimerIntent(Due=00:05:00, Label=tea", StringComparison.Ordinal), Patience);
        await repl.SendAsync("Handle(set); Notifications.Single().Message");
        await repl.WaitForStdoutAsync(l => l.Contains("Timer 'tea' set (t1)", StringComparison.Ordinal), Patience);
        await repl.SendAsync("Raise(\"TIMER_EXPIRED\", new Dictionary<string, string> { [\"label\"] = \"tea\" })");
        await repl.WaitForStdoutAsync(l => l.Contains("NotificationIntent(Message=Timer 'tea' is done.", StringComparison.Ordinal), Patience);
        await repl.SendAsync("#exit");

        Assert.Equal(0, await repl.WaitForExitAsync(Patience));
    }

    [Fact]
    public async Task Load_re_reads_an_edited_file_and_a_broken_save_keeps_the_last_good_role()
    {
        var path = _folder.Write("greeter.cs", Greeter("Hello"));
        await using var repl = HostProcess.Start(_folder.Path, "repl");

        await repl.SendAsync($"#load {path}");
        await repl.WaitForStdoutAsync(l => l.Contains("Loaded greeter", StringComparison.Ordinal), Patience);
        await repl.SendAsync("Command(\"greet Ana\")");
        await repl.WaitForStdoutAsync(l => l.Contains("Hello, Ana.", StringComparison.Ordinal), Patience);

        File.WriteAllText(path, Greeter("Hi"));
        await repl.SendAsync($"Load(\"{path}\")");
        await repl.SendAsync("Command(\"greet Ana\")");
        await repl.WaitForStdoutAsync(l => l.Contains("Hi, Ana.", StringComparison.Ordinal), Patience);

        File.WriteAllText(path, Greeter("Hey").Replace("ToolResult.Ok", "ToolResult.Okay", StringComparison.Ordinal));
        await repl.SendAsync($"#load {path}");
        await repl.WaitForStdoutAsync(l => l.Contains("error CS0117", StringComparison.Ordinal) && l.Contains("greeter.cs(", StringComparison.Ordinal), Patience);
        await repl.SendAsync("Command(\"greet Bo\")");
        await repl.WaitForStdoutAsync(l => l.Contains("Hi, Bo.", StringComparison.Ordinal), Patience);
    }

    [Fact]
    public async Task Errors_are_shown_and_the_prompt_goes_on_until_input_ends()
    {
        await using var repl = HostProcess.Start(Repository.Root, "repl");

        await repl.SendAsync("#help");
        await repl.WaitForStdoutAsync(l => l.Contains("never unloads", StringComparison.Ordinal), Patience);
        await repl.SendAsync("Nope()");
        await repl.WaitForStdoutAsync(l => l.Contains("error CS0103: The name 'Nope' does not exist", StringComparison.Ordinal), Patience);
        await repl.SendAsync("Role");
        await repl.WaitForStdoutAsync(l => l.Contains("No role loaded yet", StringComparison.Ordinal), Patience);
        await repl.SendAsync("new[] { 1,");
        await repl.SendAsync("2, 3 }.Sum()");
        await repl.WaitForStdoutAsync(l => l.EndsWith('6'), Patience);
        repl.CloseInput();

        Assert.Equal(0, await repl.WaitForExitAsync(Patience));
    }

    private static string Greeter(string greeting) => $$"""
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed class GreeterRole : IRole
        {
            public RoleConfig Config { get; } = new("greeter", "1.0.0", "Greets", "Greet someone");

            public void Register(RoleBuilder role) => role.Tools(this);

            [KernelFunction("greet"), Description("Greets someone")]
            public ToolResult Greet([Description("Who")] string name) => ToolResult.Ok($"{{greeting}}, {name}.");
        }
        """;
}
