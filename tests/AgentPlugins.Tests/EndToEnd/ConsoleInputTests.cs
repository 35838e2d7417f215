using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.EndToEnd;

// The console channel of a real bin/host: a slow tool does not hold up the next line, and an
// endless line is refused with its length while reading goes on.
public sealed class ConsoleInputTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_request_behind_a_slow_tool_is_answered_first_and_the_slow_reply_says_what_it_answers()
    {
        await using var host = HostProcess.Start(_folder.Path, "run", "--config", WriteConfig());
        await host.SendAsync("/slow ping");
        await host.WaitForStdoutAsync(line => line == "pong", Patience);

        await host.SendAsync("/slow wait 15");
        await host.SendAsync("/slow ping");

        // The ping comes back while the wait still runs (it would take 15 s behind it).
        await host.WaitForStdoutAsync(line => line == "[re: /slow ping] pong" || (line == "pong" && host.Stdout.Count(l => l == "pong") == 2), Patience);
        Assert.DoesNotContain(host.Stdout, line => line.Contains("waited", StringComparison.Ordinal));
        await host.WaitForStdoutAsync(line => line == "[re: /slow wait 15] waited 15 s", Patience);
        Assert.Equal(0, await host.TerminateAsync(Patience));
    }

    [Fact]
    public async Task A_multi_megabyte_line_is_refused_with_its_length_and_the_next_line_is_answered()
    {
        await using var host = HostProcess.Start(_folder.Path, "run", "--config", WriteConfig());
        await host.SendAsync("/slow ping");
        await host.WaitForStdoutAsync(line => line == "pong", Patience);

        // 8 MB in 64 KB writes, as a pipe delivers it.
        var piece = "/timer set_timer 5m " + new string('x', 64 * 1024 - 20);
        for (var i = 0; i < 128; i++)
        {
            await host.WriteAsync(i == 0 ? piece : new string('y', 64 * 1024));
        }

        await host.WriteAsync("\n");
        await host.SendAsync("/slow ping");

        await host.WaitForStdoutAsync(line => line == "Refused: that line has 8,388,608 characters; a request is at most 65,536. It was not run.", Patience);
        await host.WaitForStdoutAsync(line => line == "pong" && host.Stdout.Count(l => l == "pong") == 2, Patience);
        Assert.DoesNotContain(host.Stdout, line => line.StartsWith("Setting a", StringComparison.Ordinal));
        await host.WaitForAsync("Refused a console line of 8388608 characters", Patience);
        Assert.Equal(0, await host.TerminateAsync(Patience));
    }

    private string WriteConfig()
    {
        _folder.Write("roles/timer.cs", File.ReadAllText(Repository.SampleRole("timer.cs")));
        _folder.Write("roles/slow.cs", """
            using System.ComponentModel;
            using AgentPlugins.Sdk;
            using Microsoft.SemanticKernel;

            public sealed class SlowRole : IRole
            {
                public RoleConfig Config { get; } = new("slow", "1.0.0", "Slow and fast tools", "Test the console");

                public void Register(RoleBuilder role) => role.Tools(this);

                [KernelFunction("wait"), Description("Answers after a while")]
                public async Task<ToolResult> Wait([Description("Seconds")] int seconds)
                {
                    await Task.Delay(TimeSpan.FromSeconds(seconds));
                    return ToolResult.Ok($"waited {seconds} s");
                }

                [KernelFunction("ping"), Description("Answers at once")]
                public ToolResult Ping() => ToolResult.Ok("pong");
            }
            """);
        return _folder.Write("plugins.json", """{ "roles": { "folder": "roles" }, "storage": { "dataFolder": "data" }, "http": { "enabled": false } }""");
    }
}
