using System.Text.Json;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.EndToEnd;

// `host call` through the real bin/host process: exit 0 for a tool that succeeded, 1 for one that
// failed, 2 for a usage error or a role that does not load, with the diagnostics.
public sealed class CallCommandTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_tool_called_by_file_prints_its_message_and_intents_and_exits_0()
    {
        var (exit, stdout, _) = await CallAsync(Repository.Root, Repository.SampleRole("timer.cs"), "set_timer", "5m", "label=tea");

        Assert.Equal(0, exit);
        Assert.Equal(["Setting a 5 minute timer for 'tea'.", "  intent: CreateTimerIntent(Due=00:05:00, Label=tea, FollowUp=)"], stdout);
    }

    [Fact]
    public async Task A_role_name_is_found_in_the_roles_folder_of_plugins_json()
    {
        var (exit, stdout, _) = await CallAsync(Repository.Root, "timer", "cancel_timer", "t3");

        Assert.Equal(0, exit);
        Assert.Equal("Cancelling timer 't3'.", stdout[0]);
    }

    [Fact]
    public async Task A_tool_that_fails_exits_1_with_its_message()
    {
        var (exit, stdout, _) = await CallAsync(Repository.Root, "timer", "set_timer", "soon");

        Assert.Equal(1, exit);
        Assert.StartsWith("failed: 'soon' is not a duration", Assert.Single(stdout), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_has_the_result_and_each_intent_with_its_properties()
    {
        var (exit, stdout, _) = await CallAsync(Repository.Root, "timer", "set_timer", "07:30", "wake up", "--format", "json");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(string.Join('\n', stdout));
        var root = json.RootElement;
        Assert.Equal(("timer", "set_timer", true), (root.GetProperty("role").GetString(), root.GetProperty("tool").GetString(), root.GetProperty("success").GetBoolean()));
        Assert.Equal("Setting an alarm at 07:30 for 'wake up'.", root.GetProperty("message").GetString());
        var intent = Assert.Single(root.GetProperty("intents").EnumerateArray().ToList());
        Assert.Equal("CreateTimerIntent", intent.GetProperty("type").GetString());
        Assert.True(intent.GetProperty("valid").GetBoolean());
        Assert.Equal("wake up", intent.GetProperty("properties").GetProperty("Label").GetString());
        Assert.Equal("07:30", intent.GetProperty("properties").GetProperty("Due").GetString());
    }

    [Fact]
    public async Task A_role_that_does_not_load_exits_2_with_its_diagnostics()
    {
        var path = Repository.Fixture("roles/bad/ap0102_timer.cs");

        var (exit, stdout, stderr) = await CallAsync(Repository.Root, path, "anything");

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains(stderr, l => l.StartsWith($"{path}(", StringComparison.Ordinal) && l.Contains("error AP0102", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Role 'timer' has no tool 'snooze'", "timer", "snooze")]
    [InlineData("Missing argument 'duration'", "timer", "set_timer")]
    [InlineData("set_timer has no parameter 'colour'", "timer", "set_timer", "5m", "colour=red")]
    [InlineData("No role named 'nobody'", "nobody", "anything")]
    [InlineData("Required argument missing", "timer")]
    public async Task Bad_usage_exits_2_and_says_what_is_wrong(string expected, params string[] arguments)
    {
        var (exit, _, stderr) = await CallAsync(Repository.Root, arguments);

        Assert.Equal(2, exit);
        Assert.Contains(stderr, l => l.Contains(expected, StringComparison.Ordinal));
    }

    private static async Task<(int Exit, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr)> CallAsync(string workingDirectory, params string[] arguments)
    {
        await using var host = HostProcess.Start(workingDirectory, ["call", .. arguments]);
        var exit = await host.WaitForExitAsync(Patience);
        return (exit, host.Stdout, host.Stderr);
    }
}
