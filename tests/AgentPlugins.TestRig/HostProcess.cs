using System.Collections.Concurrent;
using System.Diagnostics;

namespace AgentPlugins.Tests.Support;

/// <summary>The real bin/host process, with its standard streams captured line by line (each line time-stamped).</summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly List<(string Line, long At)> _lines = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private HostProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Add(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Add(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Stdout => [.. _stdout];

    public IReadOnlyList<string> Stderr => [.. _stderr];

    public int Id => _process.Id;

    public static HostProcess Start(string workingDirectory, params string[] arguments) =>
        Start(workingDirectory, null, null, arguments);

    /// <summary>Starts bin/host with extra environment variables (e.g. systemd's NOTIFY_SOCKET).</summary>
    public static HostProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        Start(workingDirectory, environment, null, arguments);

    /// <param name="environment">Variables to set for the host (an <c>AGENTPLUGINS_</c> override, say).</param>
    /// <param name="wrapper">A program that runs the host: its arguments come first, then the host's path, then <paramref name="arguments"/>.</param>
    public static HostProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, IReadOnlyList<string>? wrapper, params string[] arguments) =>
        Start(workingDirectory, Repository.HostExecutable, environment, wrapper, arguments);

    /// <summary>
    /// Starts <c>run</c> on a roles and a data folder, from the temp folder, with extra environment
    /// variables, and optionally another host build (a benchmark's baseline).
    /// </summary>
    public static HostProcess StartRun(string roles, string data, IReadOnlyDictionary<string, string>? environment, string? executable = null) =>
        Start(Path.GetTempPath(), executable ?? Repository.HostExecutable, environment, null, ["run", "--roles", roles, "--data", data]);

    private static HostProcess Start(string workingDirectory, string executable, IReadOnlyDictionary<string, string>? environment, IReadOnlyList<string>? wrapper, string[] arguments)
    {
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} is missing; run `make build` first (`make test` does).");
        }

        if (wrapper is { Count: > 0 })
        {
            arguments = [.. wrapper.Skip(1), executable, .. arguments];
            executable = wrapper[0];
        }

        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Tests run hosts side by side: each listens on a free port instead of the default 5080.
        info.Environment["AGENTPLUGINS_HTTP__URLS"] = "http://127.0.0.1:0";

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return new HostProcess(Process.Start(info)!);
    }

    /// <summary>Starts <c>bin/host run</c> on a roles and a data folder, from the temp folder.</summary>
    public static HostProcess StartRun(string roles, string data) => Start(Path.GetTempPath(), "run", "--roles", roles, "--data", data);

    /// <summary>CPU time (user + system) the process has used so far, from /proc/PID/stat (USER_HZ is 100 on Linux).</summary>
    public double CpuSeconds
    {
        get
        {
            var fields = File.ReadAllText($"/proc/{_process.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
        }
    }

    /// <summary>The process ids of the host's children now (its compiler process), from /proc/PID/task/*/children.</summary>
    public IReadOnlyList<int> Children => ChildrenOf(_process.Id);

    /// <summary>The children of <paramref name="pid"/> now; empty once it has gone.</summary>
    public static IReadOnlyList<int> ChildrenOf(int pid)
    {
        try
        {
            return [.. Directory.EnumerateDirectories($"/proc/{pid}/task")
                .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(child => int.Parse(child, System.Globalization.CultureInfo.InvariantCulture))
                .Distinct()];
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException or IOException)
        {
            return [];
        }
    }

    /// <summary>
    /// Whether <paramref name="pid"/> runs: a thread of it is neither a zombie nor dead. A killed process's main
    /// thread shows as a zombie while its other threads still exit, and its pipes stay open until the last one has.
    /// </summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            return Directory.EnumerateDirectories($"/proc/{pid}/task").Any(task =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(task, "stat")).Split(')')[^1].TrimStart()[0] is not ('Z' or 'X');
                }
                catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException or IOException)
                {
                    return false;
                }
            });
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException or IOException)
        {
            return false;
        }
    }

    /// <summary>Sends <paramref name="signal"/> (KILL, STOP, CONT...) to <paramref name="pid"/> with kill(1).</summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Resident memory now, in MB, from /proc/PID/status.</summary>
    public double RssMb =>
        long.Parse(File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;

    /// <summary>The <see cref="Stopwatch"/> timestamp of the first line (stdout or stderr) containing <paramref name="text"/>.</summary>
    public async Task<long> WaitForAsync(string text, TimeSpan timeout) => (await WaitForLineAsync(text, timeout, 0).ConfigureAwait(false)).At;

    /// <summary>The first line containing <paramref name="text"/> that arrived at or after <paramref name="after"/> (a <see cref="Stopwatch"/> timestamp), and when.</summary>
    public async Task<(string Line, long At)> WaitForLineAsync(string text, TimeSpan timeout, long after)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var seen = 0;
        while (true)
        {
            lock (_lines)
            {
                for (; seen < _lines.Count; seen++)
                {
                    if (_lines[seen].At >= after && _lines[seen].Line.Contains(text, StringComparison.Ordinal))
                    {
                        return _lines[seen];
                    }
                }
            }

            var left = TimeSpan.FromSeconds((deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
            {
                throw new TimeoutException($"The host never printed '{text}'.");
            }
        }
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Closes the host's standard input, as Ctrl-D or the end of a pipe does.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Writes raw text to the host's standard input (no newline added), in pieces, flushing each.</summary>
    public async Task WriteAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    public async Task<string> WaitForStdoutAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var found = _stdout.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"No matching stdout line.\nstdout:\n{string.Join('\n', Stdout)}\nstderr:\n{string.Join('\n', Stderr)}");
    }

    /// <summary>Sends SIGTERM (what systemd and Ctrl-C's sibling send) and returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL (<c>kill -9</c>): no shutdown code runs, as in a crash.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Waits for the process to end by itself and returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _arrived.Dispose();
    }

    private void Add(ConcurrentQueue<string> stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        stream.Enqueue(line);
        lock (_lines)
        {
            _lines.Add((line, Stopwatch.GetTimestamp()));
        }

        _arrived.Release();
    }
}
