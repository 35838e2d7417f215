using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentPlugins.Bench.Http;

/// <summary>
/// The real <c>bin/host run</c> as a child process on fresh roles and data folders, HTTP on a free
/// loopback port or off, its output lines time-stamped, its resident memory read from /proc.
/// </summary>
internal sealed partial class HostUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<(string Line, long At)> _lines = [];
    private readonly string _folder;

    private HostUnderTest(Process process, string folder, long startedAt)
    {
        _process = process;
        _folder = folder;
        StartedAt = startedAt;
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The roles folder the host watches.</summary>
    public string RolesFolder => Path.Combine(_folder, "roles");

    /// <summary>The <see cref="Stopwatch"/> timestamp just before the process was started.</summary>
    public long StartedAt { get; }

    public static HostUnderTest Start(string timerRole, bool http)
    {
        var folder = Path.Combine(Path.GetTempPath(), "agentplugins-bench", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(folder, "roles"));
        File.Copy(timerRole, Path.Combine(folder, "roles", "timer.cs"));
        var start = new ProcessStartInfo(AgentPlugins.Tests.Support.Repository.HostExecutable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in new[] { "run", "--roles", Path.Combine(folder, "roles"), "--data", Path.Combine(folder, "data") })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AGENTPLUGINS_HTTP__ENABLED"] = http ? "true" : "false";
        start.Environment["AGENTPLUGINS_HTTP__URLS"] = "http://127.0.0.1:0";
        start.Environment["AGENTPLUGINS_CHANNELS__CONSOLE__ENABLED"] = "false";
        var startedAt = Stopwatch.GetTimestamp();
        return new HostUnderTest(Process.Start(start)!, folder, startedAt);
    }

    /// <summary>The timestamp of the first output line containing <paramref name="text"/>, and the line.</summary>
    public async Task<(long At, string Line)> WaitForAsync(string text, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            lock (_lines)
            {
                foreach (var (line, at) in _lines)
                {
                    if (line.Contains(text, StringComparison.Ordinal))
                    {
                        return (at, line);
                    }
                }
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(5);
        }

        lock (_lines)
        {
            throw new TimeoutException($"The host never printed '{text}':\n{string.Join('\n', _lines.Select(l => l.Line))}");
        }
    }

    /// <summary>Where the host listens, from Kestrel's start-up line.</summary>
    public async Task<Uri> AddressAsync(TimeSpan timeout)
    {
        var (_, line) = await WaitForAsync("Now listening on: ", timeout);
        return new Uri(Listening().Match(line).Groups[1].Value);
    }

    /// <summary>Resident set size, from /proc/PID/status.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(stopped.Token);
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.Add((line, Stopwatch.GetTimestamp()));
            }
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
