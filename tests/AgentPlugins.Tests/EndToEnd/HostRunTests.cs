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

    [Fact]
    public async Task A_start_whose_roles_all_come_from_the_compile_cache_loads_neither_the_compiler_nor_what_it_does_not_use()
    {
        var config = WriteConfig();
        await using (var first = HostProcess.Start(_folder.Path, "run", "--config", config))
        {
            await first.SendAsync("/timer list_timers");
            await first.WaitForStdoutAsync(line => line == "Listing your timers.", Patience);
            Assert.Equal(0, await first.TerminateAsync(Patience));
        }

        await using var second = HostProcess.Start(_folder.Path, "run", "--config", config);
        await second.SendAsync("/timer list_timers");
        await second.WaitForStdoutAsync(line => line == "Listing your timers.", Patience);

        var mapped = File.ReadAllLines($"/proc/{second.Id}/maps").Where(line => line.EndsWith(".dll", StringComparison.Ordinal)).ToList();
        Assert.Contains(mapped, line => line.EndsWith("/host.dll", StringComparison.Ordinal));
        Assert.DoesNotContain(mapped, line => line.EndsWith("Microsoft.CodeAnalysis.CSharp.dll", StringComparison.Ordinal));
        Assert.DoesNotContain(mapped, line => line.EndsWith("/Microsoft.CodeAnalysis.dll", StringComparison.Ordinal));

        // Idle memory: on SQLite the PostgreSQL driver stays out, and nothing here needs cryptography.
        Assert.DoesNotContain(mapped, line => line.EndsWith("/Npgsql.dll", StringComparison.Ordinal));
        Assert.DoesNotContain(mapped, line => line.EndsWith("/System.Security.Cryptography.dll", StringComparison.Ordinal));

        // The first edit brings it in, and the edited role answers.
        File.WriteAllText(Path.Combine(_folder.Path, "roles", "timer.cs"), File.ReadAllText(Path.Combine(_folder.Path, "roles", "timer.cs")).Replace("Listing your timers.", "Listing them.", StringComparison.Ordinal));
        await second.SendAsync("/timer list_timers");
        await WaitForAnswerAsync(second, "Listing them.");
        Assert.Equal(0, await second.TerminateAsync(Patience));
    }

    private static async Task WaitForAnswerAsync(HostProcess host, string answer)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!host.Stdout.Contains(answer))
        {
            Assert.True(DateTime.UtcNow < deadline, $"No '{answer}' on stdout within {Patience.TotalSeconds} s.");
            await host.SendAsync("/timer list_timers");
            await Task.Delay(200);
        }
    }

    private string WriteConfig()
    {
        _folder.Write("roles/timer.cs", File.ReadAllText(Repository.SampleRole("timer.cs")));
        return _folder.Write("plugins.json", """{ "roles": { "folder": "roles" }, "storage": { "dataFolder": "data" } }""");
    }
}
