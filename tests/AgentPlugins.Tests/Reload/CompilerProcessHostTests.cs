using System.Diagnostics;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Reload;

/// <summary>
/// The real <c>bin/host run</c> compiling roles in its compiler process (<c>roles:compiler</c> <c>process</c>,
/// the default for run): saves reload through it, it is the host's child and goes with the host, and a
/// killed worker costs one compile at most.
/// </summary>
public sealed class CompilerProcessHostTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_save_reloads_through_the_worker_a_child_of_the_host_that_exits_with_it_on_sigterm()
    {
        await using var host = Start();
        await AnswersAsync(host, "Listing your timers.");
        var worker = await WorkerOfAsync(host);

        Edit("Listing your timers.", "Listing them.");
        await AnswersAsync(host, "Listing them.");
        Assert.Equal(worker, await WorkerOfAsync(host));

        Assert.Equal(0, await host.TerminateAsync(Patience));
        await WaitUntilAsync(() => !HostProcess.IsRunning(worker));
    }

    [Fact]
    public async Task The_worker_exits_when_the_host_is_killed()
    {
        await using var host = Start();
        await AnswersAsync(host, "Listing your timers.");
        var worker = await WorkerOfAsync(host);

        await host.KillAsync();

        // Its stdin ends with the host: nothing else tells it.
        await WaitUntilAsync(() => !HostProcess.IsRunning(worker));
    }

    [Fact]
    public async Task A_signal_meant_for_the_host_leaves_the_worker_compiling_and_the_hosts_stop_ends_it_quietly()
    {
        await using var host = Start();
        await AnswersAsync(host, "Listing your timers.");
        var worker = await WorkerOfAsync(host);

        // Ctrl-C at a terminal and a service manager's stop reach every process of the group.
        await HostProcess.SignalAsync(worker, "INT");
        await HostProcess.SignalAsync(worker, "TERM");
        Edit("Listing your timers.", "Listing them.");

        await AnswersAsync(host, "Listing them.");
        Assert.Equal(worker, await WorkerOfAsync(host));
        Assert.Equal(0, await host.TerminateAsync(Patience));
        await WaitUntilAsync(() => !HostProcess.IsRunning(worker));
        Assert.DoesNotContain(host.Stdout.Concat(host.Stderr), line => line.Contains("Compiler process (pid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_worker_killed_between_saves_is_started_again_by_the_next_save()
    {
        await using var host = Start();
        await AnswersAsync(host, "Listing your timers.");
        var first = await WorkerOfAsync(host);

        await HostProcess.SignalAsync(first, "KILL");
        await WaitUntilAsync(() => !HostProcess.IsRunning(first));
        Edit("Listing your timers.", "Listing them.");

        await AnswersAsync(host, "Listing them.");
        Assert.NotEqual(first, await WorkerOfAsync(host));
        Assert.Equal(0, await host.TerminateAsync(Patience));
    }

    [Fact]
    public async Task A_worker_killed_during_a_compile_leaves_the_previous_version_serving_and_says_why_naming_the_file()
    {
        await using var host = Start();
        await AnswersAsync(host, "Listing your timers.");
        var worker = await WorkerOfAsync(host);

        // Stopped, the worker leaves the save's compile request unread; killed, it ends with the request open.
        await HostProcess.SignalAsync(worker, "STOP");
        var saved = Stopwatch.GetTimestamp();
        Edit("Listing your timers.", "Listing them.");

        // The watcher, its debounce and the read take milliseconds; two seconds is far past them, even under load.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await HostProcess.SignalAsync(worker, "KILL");

        var file = Path.Combine(_folder.Path, "roles", "timer.cs");
        var (line, _) = await host.WaitForLineAsync("error AP1015", Patience, saved);
        Assert.Contains($"{file}(1,1): error AP1015: the compiler process exited (signal 9, SIGKILL) while compiling {file}; the previous version keeps running", line, StringComparison.Ordinal);
        await AnswersAsync(host, "Listing your timers.", after: saved);

        // The next save compiles in a new worker.
        Edit("Listing them.", "Listed.");
        await AnswersAsync(host, "Listed.");
        Assert.NotEqual(worker, await WorkerOfAsync(host));
        Assert.Equal(0, await host.TerminateAsync(Patience));
    }

    [Fact]
    public async Task A_start_from_the_compile_cache_starts_no_worker_and_maps_no_compiler()
    {
        await using (var first = Start())
        {
            await AnswersAsync(first, "Listing your timers.");
            Assert.Equal(0, await first.TerminateAsync(Patience));
        }

        await using var second = Start();
        await AnswersAsync(second, "Listing your timers.");

        Assert.Empty(Workers(second));
        var mapped = File.ReadAllLines($"/proc/{second.Id}/maps");
        Assert.DoesNotContain(mapped, line => line.EndsWith("/Microsoft.CodeAnalysis.CSharp.dll", StringComparison.Ordinal));
        Assert.DoesNotContain(mapped, line => line.EndsWith("/Microsoft.CodeAnalysis.dll", StringComparison.Ordinal));

        // The first edit starts it.
        Edit("Listing your timers.", "Listing them.");
        await AnswersAsync(second, "Listing them.");
        Assert.Single(Workers(second));
        Assert.Equal(0, await second.TerminateAsync(Patience));
    }

    [Fact]
    public async Task Inprocess_compiles_in_the_host_without_a_worker()
    {
        await using var host = Start(new Dictionary<string, string> { ["AGENTPLUGINS_ROLES__COMPILER"] = "inprocess" });
        await AnswersAsync(host, "Listing your timers.");

        Edit("Listing your timers.", "Listing them.");
        await AnswersAsync(host, "Listing them.");

        Assert.Empty(Workers(host));
        Assert.Contains(File.ReadAllLines($"/proc/{host.Id}/maps"), line => line.EndsWith("/Microsoft.CodeAnalysis.CSharp.dll", StringComparison.Ordinal));
        Assert.Equal(0, await host.TerminateAsync(Patience));
    }

    [Theory]
    [InlineData("AGENTPLUGINS_ROLES__COMPILER", "elsewhere", "'roles:compiler' must be \"process\"")]
    [InlineData("AGENTPLUGINS_ROLES__COMPILERIDLETIMEOUT", "00:00:00", "'roles:compilerIdleTimeout' must be a time span from 00:00:01")]
    public async Task A_bad_compiler_setting_stops_start_up_naming_the_key(string variable, string value, string message)
    {
        await using var host = Start(new Dictionary<string, string> { [variable] = value });

        Assert.Equal(1, await host.WaitForExitAsync(Patience));
        Assert.Contains(host.Stderr, line => line.Contains(message, StringComparison.Ordinal));
    }

    private HostProcess Start(IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(Path.Combine(_folder.Path, "roles", "timer.cs")))
        {
            _folder.Write("roles/timer.cs", File.ReadAllText(Repository.SampleRole("timer.cs")));
        }

        return HostProcess.StartRun(Path.Combine(_folder.Path, "roles"), Path.Combine(_folder.Path, "data"), environment);
    }

    private void Edit(string from, string to)
    {
        var path = Path.Combine(_folder.Path, "roles", "timer.cs");
        File.WriteAllText(path, File.ReadAllText(path).Replace(from, to, StringComparison.Ordinal));
    }

    // The compiler processes among the host's children (by their command line).
    private static List<int> Workers(HostProcess host) =>
        [.. host.Children.Where(pid =>
        {
            try
            {
                return File.ReadAllText($"/proc/{pid}/cmdline").Contains("compile-worker", StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
        })];

    private static async Task<int> WorkerOfAsync(HostProcess host)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (Workers(host) is [var worker])
            {
                return worker;
            }

            Assert.True(deadline.Elapsed < Patience, "The host has no compiler process.");
            await Task.Delay(50);
        }
    }

    private static async Task AnswersAsync(HostProcess host, string answer, long after = 0)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await host.SendAsync("/timer list_timers");
            try
            {
                await host.WaitForLineAsync(answer, TimeSpan.FromMilliseconds(300), after);
                return;
            }
            catch (TimeoutException) when (deadline.Elapsed < Patience)
            {
                // Not yet: ask again.
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Patience, "The condition never held.");
            await Task.Delay(50);
        }
    }
}
