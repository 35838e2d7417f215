using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.EndToEnd;

/// <summary>The real bin/host process on a temporary roles folder and plugins.json.</summary>
public sealed class HostRunTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_timer_set_on_stdin_expires_on_stdout_and_sigterm_exits_zero()
    {
        var config = WriteConfig();
        await using var host = HostProcess.Start(_folder.Path, "run", "--config", config);

        await host.SendAsync("/timer set_timer 1s tea");

        await host.WaitForStdoutAsync(line => line == "Setting a 1 second timer for 'tea'.", Patience);
        await host.WaitForStdoutAsync(line => line.Contains("Timer 'tea' is done", StringComparison.Ordinal), Patience);
        Assert.Equal(0, await host.TerminateAsync(Patience));
        Assert.True(File.Exists(Path.Combine(_folder.Path, "data", "audit.db")));
    }

    [Fact]
    public async Task A_broken_role_is_reported_on_stderr_and_the_good_ones_serve()
    {
        var config = WriteConfig();
        _folder.Write("roles/broken.cs", "public sealed class Broken : AgentPlugins.Sdk.IRole { int x = ; }");
        await using var host = HostProcess.Start(_folder.Path, "run", "--config", config);

        await host.SendAsync("/timer list_timers");

        await host.WaitForStdoutAsync(line => line == "Listing your timers.", Patience);
        Assert.Contains(host.Stderr, line => line.Contains("broken.cs(1,63): error CS1525", StringComparison.Ordinal));
        Assert.Equal(0, await host.TerminateAsync(Patience));
    }

    [Fact]
    public async Task A_configuration_with_an_unknown_key_stops_start_up_naming_the_key()
    {
        var config = _folder.Write("plugins.json", """{ "roles": { "folder": "roles" }, "timerz": {} }""");
        await using var host = HostProcess.Start(_folder.Path, "run", "--config", config);

        Assert.Equal(1, await host.WaitForExitAsync(Patience));
        Assert.Contains(host.Stderr, line => line.Contains("timerz", StringComparison.Ordinal));
    }

    private string WriteConfig()
    {
        _folder.Write("roles/timer.cs", File.ReadAllText(Repository.SampleRole("timer.cs")));
        return _folder.Write("plugins.json", """{ "roles": { "folder": "roles" }, "storage": { "dataFolder": "data" } }""");
    }
}
