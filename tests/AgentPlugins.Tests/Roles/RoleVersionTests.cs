using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Roles;

/// <summary>RoleConfig.Version is read: the real host logs it when a generation starts serving.</summary>
public sealed class RoleVersionTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_log_names_the_version_of_each_generation_that_serves()
    {
        _folder.Write("roles/timer.cs", File.ReadAllText(Repository.SampleRole("timer.cs")));
        var config = _folder.Write("plugins.json", """{ "roles": { "folder": "roles" }, "storage": { "dataFolder": "data" } }""");
        await using var host = HostProcess.Start(_folder.Path, "run", "--config", config);

        await host.SendAsync("/timer list_timers");
        await host.WaitForStdoutAsync(line => line == "Listing your timers.", Patience);

        Assert.Contains(host.Stderr, line => line.Contains("Role timer 3.0.0 generation 1 serving", StringComparison.Ordinal));
        Assert.Equal(0, await host.TerminateAsync(Patience));
    }
}
