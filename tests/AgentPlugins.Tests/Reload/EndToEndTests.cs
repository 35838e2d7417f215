using System.Collections.Concurrent;
using System.Diagnostics;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Reload;

/// <summary>The real <c>bin/host</c> (from <c>make build</c>): edit a role while it runs and the next request sees it.</summary>
public sealed class EndToEndTests
{
    [Fact]
    public async Task Editing_a_role_while_the_host_runs_changes_the_answer_to_the_next_request()
    {
        Assert.True(File.Exists(Repository.HostExecutable), $"{Repository.HostExecutable} is missing; run `make build` first.");
        using var folder = new TempFolder();
        var roles = Path.Combine(folder.Path, "roles");
        var data = Path.Combine(folder.Path, "data");
        folder.Write("roles/echo.cs", SampleRoles.Echo("first"));

        using var host = Start("run", "--roles", roles, "--data", data);
        var replies = new BlockingCollection<string>();
        host.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                replies.Add(e.Data);
            }
        };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            var status = await WaitForStatusAsync(data, s => s.Roles.Any(r => r.Name == "echo" && r.State == "active"));
            Assert.Equal(1, Assert.Single(status.Roles).Generation);
            Assert.Equal("first", await AskAsync(host, replies, "/echo say"));

            var (code, output) = await RunToEndAsync("roles", "--data", data);
            Assert.Equal(0, code);
            Assert.Matches(@"echo\s+1\s+active", output);

            File.WriteAllText(Path.Combine(roles, "echo.cs"), SampleRoles.Echo("second"));
            await WaitForStatusAsync(data, s => s.Roles.Any(r => r.Name == "echo" && r.Generation == 2 && r.State == "active"));
            Assert.Equal("second", await AskAsync(host, replies, "/echo say"));

            // A broken save is reported and the running generation keeps answering.
            File.WriteAllText(Path.Combine(roles, "echo.cs"), SampleRoles.CompileError);
            await WaitForStatusAsync(data, s => s.Roles.Any(r => r.State == "failed" && r.LastErrors.Any(e => e.Contains("CS0103", StringComparison.Ordinal))));
            Assert.Equal("second", await AskAsync(host, replies, "/echo say"));
            (code, output) = await RunToEndAsync("roles", "--data", data);
            Assert.Equal(0, code);
            Assert.Contains("echo.cs(9,25): error CS0103", output, StringComparison.Ordinal);
            Assert.Contains("serving, last save failed", output, StringComparison.Ordinal);

            // What the data folder holds, per file, for a host that runs for months.
            Assert.Matches(@"data folder: .*timers\.db \d+ KB", output);
        }
        finally
        {
            // End of input lets the console channel finish; SIGTERM then stops the host cleanly.
            host.StandardInput.Close();
            using (var term = Process.Start("kill", ["-TERM", host.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await host.WaitForExitAsync(stopped.Token);
        }

        Assert.False(File.Exists(HostStatusFile.PathIn(data)), "the host left its status file behind");
        var (exit, _) = await RunToEndAsync("roles", "--data", data);
        Assert.Equal(1, exit);
    }

    [Fact]
    public async Task Host_roles_without_a_running_host_fails_with_a_clear_message()
    {
        Assert.True(File.Exists(Repository.HostExecutable), $"{Repository.HostExecutable} is missing; run `make build` first.");
        using var folder = new TempFolder();

        using var process = Start("roles", "--data", folder.Path);
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(1, process.ExitCode);
        Assert.Contains("no host is running", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_roles_recognises_a_status_left_by_a_host_that_died()
    {
        Assert.True(File.Exists(Repository.HostExecutable), $"{Repository.HostExecutable} is missing; run `make build` first.");
        using var folder = new TempFolder();
        int deadPid;
        using (var ended = Process.Start("true")!)
        {
            await ended.WaitForExitAsync();
            deadPid = ended.Id;
        }

        HostStatusFile.Write(folder.Path, new HostStatus(deadPid, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "/roles", [], 0, 0));

        var (code, output) = await RunToEndAsync("roles", "--data", folder.Path);

        Assert.Equal(1, code);
        Assert.Contains($"(pid {deadPid}) has ended", output, StringComparison.Ordinal);
    }

    private static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(Repository.HostExecutable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static async Task<(int Code, string Output)> RunToEndAsync(params string[] arguments)
    {
        using var process = Start(arguments);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static async Task<string> AskAsync(Process host, BlockingCollection<string> replies, string request)
    {
        while (replies.TryTake(out _))
        {
        }

        await host.StandardInput.WriteLineAsync(request);
        await host.StandardInput.FlushAsync();
        return await Task.Run(() =>
        {
            // Notifications (role errors) share stdout with replies; a reply is the first other line.
            while (replies.TryTake(out var line, TimeSpan.FromSeconds(15)))
            {
                if (!line.StartsWith('[') && !line.Contains("): error ", StringComparison.Ordinal))
                {
                    return line;
                }
            }

            return "(no reply)";
        });
    }

    private static async Task<HostStatus> WaitForStatusAsync(string data, Func<HostStatus, bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (HostStatusFile.Read(HostStatusFile.PathIn(data)) is { } status && condition(status))
            {
                return status;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"The host's status never matched; last: {File.ReadAllText(HostStatusFile.PathIn(data))}");
    }
}
