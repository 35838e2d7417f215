using System.Diagnostics;
using System.Globalization;

namespace AgentPlugins.Bench.Reload;

/// <summary>The real <c>bin/host</c> as a child process: start it, wait for a line, ask it something, stop it with SIGTERM.</summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<(string Line, long At)> _lines = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private HostProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string Executable
    {
        get
        {
            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "AgentPlugins.sln")))
            {
                folder = folder.Parent;
            }

            var host = Path.Combine(folder?.FullName ?? ".", "bin", "host");
            return File.Exists(host) ? host : throw new FileNotFoundException("bin/host is missing; run `make build` first.", host);
        }
    }

    public static HostProcess Start(string roles, string data)
    {
        var start = new ProcessStartInfo(Executable)
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

        return new HostProcess(Process.Start(start)!);
    }

    /// <summary>Writes a request line to the host's standard input.</summary>
    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The <see cref="Stopwatch"/> timestamp of the first line (stdout or stderr) containing <paramref name="text"/>.</summary>
    public async Task<long> WaitForAsync(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var seen = 0;
        while (true)
        {
            lock (_lines)
            {
                for (; seen < _lines.Count; seen++)
                {
                    if (_lines[seen].Line.Contains(text, StringComparison.Ordinal))
                    {
                        return _lines[seen].At;
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

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.HasExited)
        {
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(stopped.Token);
        }

        _process.Dispose();
        _arrived.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add((line, Stopwatch.GetTimestamp()));
        }

        _arrived.Release();
    }
}
