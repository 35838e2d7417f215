using System.Collections.Concurrent;
using System.Diagnostics;
using AgentPlugins.Bench.Reload;
using AgentPlugins.Host.Supervision;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Bench.Supervision;

/// <summary>
/// A role starts to spin in a tool; the host ends at the hard limit (exit 70); a scripted supervisor
/// starts it again at once (as systemd's Restart=on-failure does); the time until a request to
/// another role is answered again. Roles: the spinning one, the timer role, and sample roles up to
/// the count. The compile cache is warm (a first start fills it), as it is for a service.
/// </summary>
internal static class SpinRecovery
{
    // The same spinning tool the supervision tests attack with.
    private const string Spin = AttackRoles.SpinningTool;

    public sealed record Run(double SpinToExit, double ExitToServing, double SpinToServing);

    public static async Task<IReadOnlyList<Run>> RunAsync(int roles, int runs, string timerRole)
    {
        var folder = Path.Combine(Path.GetTempPath(), "agentplugins-bench", Guid.NewGuid().ToString("N")[..12]);
        var rolesFolder = Path.Combine(folder, "roles");
        var data = Path.Combine(folder, "data");
        Directory.CreateDirectory(rolesFolder);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(rolesFolder, "timer.cs"), timerRole);
            for (var i = 1; i < roles; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(rolesFolder, $"role{i:D2}.cs"), BenchRoles.Sample($"r{i}", $"role{i:D2}"));
            }

            // Fill the compile cache, as a service that ran before has it.
            await using (var warm = Child.Start(rolesFolder, data))
            {
                await warm.WaitForAsync("Ready:", TimeSpan.FromSeconds(300));
            }

            var results = new List<Run>();
            for (var run = 0; run < runs; run++)
            {
                // A fresh copy of the culprit each run: its content differs, so the last run's quarantine does not apply.
                await File.WriteAllTextAsync(Path.Combine(rolesFolder, "spin.cs"), Spin + $"\n// run {run}\n");
                await using (var first = Child.Start(rolesFolder, data))
                {
                    await first.WaitForAsync("Ready:", TimeSpan.FromSeconds(300));
                    await first.SendAsync("/timer list_timers");
                    await first.WaitForAsync("Listing your timers.", TimeSpan.FromSeconds(60));
                    var spinning = Stopwatch.GetTimestamp();
                    await first.SendAsync("/spin spin");
                    var code = await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
                    var exited = Stopwatch.GetTimestamp();
                    if (code != ExitCodes.RoleStuck)
                    {
                        throw new InvalidOperationException($"The host exited with {code}, not {ExitCodes.RoleStuck}.");
                    }

                    // The supervisor's restart, then a request to another role until it is answered.
                    await using var second = Child.Start(rolesFolder, data);
                    long served;
                    while (true)
                    {
                        await second.SendAsync("/timer list_timers");
                        try
                        {
                            served = await second.WaitForAsync("Listing your timers.", TimeSpan.FromMilliseconds(100));
                            break;
                        }
                        catch (TimeoutException) when (Stopwatch.GetElapsedTime(exited) < TimeSpan.FromSeconds(120))
                        {
                        }
                    }

                    results.Add(new Run(
                        Stopwatch.GetElapsedTime(spinning, exited).TotalMilliseconds,
                        Stopwatch.GetElapsedTime(exited, served).TotalMilliseconds,
                        Stopwatch.GetElapsedTime(spinning, served).TotalMilliseconds));
                }
            }

            return results;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>bin/host as a child: lines with their time, requests on standard input, the exit code.</summary>
    private sealed class Child : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<(string Line, long At)> _lines = new();

        private Child(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Add(e.Data);
            process.ErrorDataReceived += (_, e) => Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public static Child Start(string roles, string data)
        {
            var start = new ProcessStartInfo(Repository.HostExecutable)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetTempPath(),
            };
            foreach (var argument in new[] { "run", "--roles", roles, "--data", data })
            {
                start.ArgumentList.Add(argument);
            }

            return new Child(Process.Start(start)!);
        }

        public async Task SendAsync(string line)
        {
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }

        public async Task<long> WaitForAsync(string text, TimeSpan timeout)
        {
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                foreach (var (line, at) in _lines)
                {
                    if (line.Contains(text, StringComparison.Ordinal))
                    {
                        return at;
                    }
                }

                if (Stopwatch.GetElapsedTime(started) > timeout || _process.HasExited)
                {
                    throw new TimeoutException($"The host never printed '{text}'.");
                }

                await Task.Delay(5);
            }
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cancel.Token);
            return _process.ExitCode;
        }

        // SIGTERM, as a supervisor stops a service: a SIGKILL that lands inside a role call (this bench
        // keeps the timer role busy) would leave that call in the crash journal and quarantine the role.
        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync();
                }

                using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await _process.WaitForExitAsync(stopped.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }

            _process.Dispose();
        }

        private void Add(string? line)
        {
            if (line is not null)
            {
                _lines.Enqueue((line, Stopwatch.GetTimestamp()));
            }
        }
    }
}
