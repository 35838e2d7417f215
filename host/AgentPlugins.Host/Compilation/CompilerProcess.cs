using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Compilation;

/// <summary>
/// Compiles role files in a child process (<c>host compile-worker</c>) started without tiered JIT. JIT
/// settings are per process: with tiering on (which the host's loop, bus and HTTP need) the JIT
/// re-compiles Roslyn's ReadyToRun code to optimized code during the first saves after a start, several
/// CPU-seconds a process; in the worker Roslyn runs its ReadyToRun code as is. Also, a file that crashes
/// the compiler (a stack overflow on deeply nested code) ends the worker, not the host, and Roslyn's memory
/// goes with the worker when it exits after <c>roles:compilerIdleTimeout</c>.
/// <para>The worker starts at the first compile (a start served wholly from the compile cache never starts it),
/// compiles requests side by side, correlated by id (<see cref="CompileWorkerProtocol"/>), and exits when its
/// stdin closes: when idle, when the host stops, and when the host dies. A worker that exits mid-compile gives
/// that file an error diagnostic and the next compile starts a new one; one that takes longer than the compile
/// timeout is killed.</para>
/// </summary>
internal sealed class CompilerProcess : IRoleCompiler, IDisposable
{
    /// <summary>The code of the error a file gets when the compiler process ends or hangs while compiling it.</summary>
    public const string CompilerProcessFailed = "AP1015";

    /// <summary>How long one compile may take in the worker: a cold first compile on a loaded machine takes seconds, not minutes.</summary>
    public static readonly TimeSpan DefaultCompileTimeout = TimeSpan.FromMinutes(2);

    private readonly string _executable;
    private readonly IReadOnlyList<string> _arguments;
    private readonly TimeSpan _idleTimeout;
    private readonly ILogger _log;
    private readonly ITimer _idle;
    private readonly Lock _gate = new();
    private Worker? _worker;
    private int _busy;
    private long _ids;
    private int _started;
    private bool _disposed;

    /// <param name="executable">The host's executable, and <paramref name="arguments"/> before <c>compile-worker</c> (see <see cref="ThisHost"/>).</param>
    /// <param name="arguments">Arguments before the command (the host's dll when it runs under <c>dotnet</c>).</param>
    /// <param name="fingerprint">The fingerprint of the same compiler in this process (the worker is the same build).</param>
    /// <param name="checkRules">Whether the worker checks the role rules (<c>roles:checkRules</c>).</param>
    /// <param name="idleTimeout">How long the worker may stay idle before it is told to exit.</param>
    /// <param name="compileTimeout">How long one compile may take before the worker is judged hung and killed.</param>
    public CompilerProcess(
        string executable,
        IReadOnlyList<string> arguments,
        string fingerprint,
        bool checkRules,
        TimeSpan idleTimeout,
        TimeSpan compileTimeout,
        ILogger<CompilerProcess> log,
        TimeProvider? time = null)
    {
        _executable = executable;
        _arguments = [.. arguments, "compile-worker", .. checkRules ? Array.Empty<string>() : ["--no-rules"]];
        Fingerprint = fingerprint;
        _idleTimeout = idleTimeout;
        CompileTimeout = compileTimeout;
        _log = log;
        _idle = (time ?? TimeProvider.System).CreateTimer(_ => StopIfIdle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Fingerprint { get; }

    /// <summary>How long one compile may take before the worker is judged hung and killed (read at each compile).</summary>
    public TimeSpan CompileTimeout { get; set; }

    /// <summary>The running worker's process id; null when none runs.</summary>
    public int? WorkerId
    {
        get
        {
            lock (_gate)
            {
                return _worker is { IsAlive: true } worker ? worker.Id : null;
            }
        }
    }

    /// <summary>How many workers this host has started.</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>
    /// How to start this build as a worker: the native launcher next to the host's assembly, or
    /// <c>dotnet host.dll</c> where there is none.
    /// </summary>
    public static (string Executable, IReadOnlyList<string> Arguments) ThisHost()
    {
        var folder = AppContext.BaseDirectory;
        var launcher = Path.Combine(folder, OperatingSystem.IsWindows() ? "host.exe" : "host");
        if (File.Exists(launcher))
        {
            return (launcher, []);
        }

        var dotnet = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        return (dotnet, [Path.Combine(folder, "host.dll")]);
    }

    public CompiledRole Compile(RoleFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _busy++;
            _idle.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        try
        {
            var (worker, id, answer) = Send(file);
            try
            {
                var timeout = CompileTimeout;
                if (!answer.Wait((int)Math.Min(int.MaxValue, timeout.TotalMilliseconds), cancellationToken))
                {
                    _log.LogWarning("The compiler process (pid {Pid}) did not finish {Path} within {Timeout}; stopping it.", worker.Id, file.Path, timeout);
                    worker.Forget(id);
                    worker.Kill();
                    return Failure(file, $"the compiler process did not finish compiling {file.Path} within {timeout.TotalSeconds:0.#} s and was stopped; the previous version keeps running. Save the file again to retry.");
                }
            }
            catch (OperationCanceledException)
            {
                worker.Forget(id);
                _ = worker.Send(writer => CompileWorkerProtocol.WriteCancel(writer, id));
                throw;
            }

            return answer.Result switch
            {
                { Compiled: { } compiled } => compiled,
                { Failure: { } failure } => Failure(file, $"the compiler failed on {file.Path}: {failure}"),
                { Exit: var exit } => Failure(file, $"the compiler process exited ({exit}) while compiling {file.Path}; the previous version keeps running. Save the file again to retry."),
            };
        }
        finally
        {
            lock (_gate)
            {
                if (--_busy == 0 && !_disposed)
                {
                    _idle.Change(_idleTimeout, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    /// <summary>Closes the worker's stdin (it exits) and waits for it briefly; one that does not exit is killed.</summary>
    public void Dispose()
    {
        Worker? worker;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            worker = _worker;
            _worker = null;
        }

        _idle.Dispose();
        worker?.Stop(TimeSpan.FromSeconds(5));
    }

    // A worker that had already gone before the request reached it (killed while idle, its end not yet noticed)
    // never saw the file: the request goes to a new one. One that dies after reading it answers with its exit.
    private (Worker Worker, long Id, Task<Answer> Answer) Send(RoleFile file)
    {
        for (var attempt = 1; ; attempt++)
        {
            var id = Interlocked.Increment(ref _ids);
            Worker worker;
            Task<Answer> answer;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                worker = Running();
                answer = worker.Expect(id, file);
            }

            if (worker.Send(writer => CompileWorkerProtocol.WriteCompile(writer, id, file)) || attempt == 2)
            {
                return (worker, id, answer);
            }

            worker.Forget(id);
            Exited(worker);
        }
    }

    private static CompiledRole Failure(RoleFile file, string message) =>
        new(file.Path, file.Hash, null, null, [RoleDiagnostic.Error(file.Path, CompilerProcessFailed, message)]);

    // Under _gate.
    private Worker Running()
    {
        if (_worker is { IsAlive: true } running)
        {
            return running;
        }

        var info = new ProcessStartInfo(_executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in _arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The point of the worker: Roslyn's ReadyToRun code is used as is, never re-jitted (the host keeps tiering).
        info.Environment["DOTNET_TieredCompilation"] = "0";
        info.Environment["DOTNET_TieredPGO"] = "0";

        // A batch compiler: collections without a background GC thread cost it less (bench reload-host, 92 against 95 ms per reload).
        info.Environment["DOTNET_gcConcurrent"] = "0";
        var started = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start the compiler process ({_executable}).");
        Interlocked.Increment(ref _started);
        _log.LogDebug("Compiler process started (pid {Pid}) in {Ms:F1} ms.", process.Id, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        _worker = new Worker(process, _log, Exited);
        return _worker;
    }

    private void Exited(Worker worker)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_worker, worker))
            {
                _worker = null;
            }
        }
    }

    private void StopIfIdle()
    {
        Worker? worker;
        lock (_gate)
        {
            if (_busy > 0 || _worker is null)
            {
                return;
            }

            worker = _worker;
            _worker = null;
        }

        _log.LogDebug("Compiler process (pid {Pid}) idle for {Idle}: told to exit.", worker.Id, _idleTimeout);
        _ = Task.Run(() => worker.Stop(TimeSpan.FromSeconds(30)));
    }

    /// <summary>A worker's answer: a compiled role, the compiler's failure, or how the process ended.</summary>
    private sealed record Answer(CompiledRole? Compiled, string? Failure, string? Exit);

    /// <summary>One worker process: its pipes, the requests waiting for it and the thread reading its answers.</summary>
    private sealed class Worker
    {
        private readonly Process _process;
        private readonly ILogger _log;
        private readonly Action<Worker> _exited;
        private readonly ConcurrentDictionary<long, (RoleFile File, TaskCompletionSource<Answer> Answer)> _waiting = new();
        private readonly Lock _writing = new();
        private volatile bool _ended;

        public Worker(Process process, ILogger log, Action<Worker> exited)
        {
            _process = process;
            _log = log;
            _exited = exited;
            Id = process.Id;
            process.ErrorDataReceived += (_, e) =>
            {
                if (!string.IsNullOrEmpty(e.Data))
                {
                    _log.LogWarning("Compiler process (pid {Pid}): {Line}", Id, e.Data);
                }
            };
            process.BeginErrorReadLine();
            new Thread(Read) { IsBackground = true, Name = "compiler process reader" }.Start();
        }

        public int Id { get; }

        public bool IsAlive => !_ended && !_process.HasExited;

        public Task<Answer> Expect(long id, RoleFile file)
        {
            var answer = new TaskCompletionSource<Answer>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[id] = (file, answer);
            if (_ended && _waiting.TryRemove(id, out _))
            {
                // Ended between the caller's check and now: the reader has already answered everyone else.
                answer.TrySetResult(new Answer(null, null, Describe()));
            }

            return answer.Task;
        }

        public void Forget(long id) => _waiting.TryRemove(id, out _);

        /// <summary>Writes a request; false when the worker's input is closed (it has gone).</summary>
        public bool Send(Action<BinaryWriter> write)
        {
            try
            {
                lock (_writing)
                {
                    CompileWorkerProtocol.WriteFrame(_process.StandardInput.BaseStream, write);
                }

                return true;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The worker is gone: the reader sees its stdout end and answers every request waiting.
                _log.LogDebug("Cannot write to the compiler process (pid {Pid}): {Message}", Id, ex.Message);
                return false;
            }
        }

        public void Kill()
        {
            try
            {
                _process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        }

        /// <summary>Closes stdin (the worker's signal to exit), waits for it, kills it past <paramref name="patience"/>.</summary>
        public void Stop(TimeSpan patience)
        {
            try
            {
                lock (_writing)
                {
                    _process.StandardInput.Close();
                }
            }
            catch (IOException)
            {
                // It has already gone.
            }

            if (!_process.WaitForExit(patience))
            {
                _log.LogWarning("Compiler process (pid {Pid}) did not exit within {Patience} of its input closing; killing it.", Id, patience);
                Kill();
                _process.WaitForExit(patience);
            }
        }

        private void Read()
        {
            var stdout = _process.StandardOutput.BaseStream;
            try
            {
                while (CompileWorkerProtocol.ReadFrame(stdout) is { } frame)
                {
                    using var reader = new BinaryReader(new MemoryStream(frame), Encoding.UTF8);
                    var id = reader.ReadInt64();
                    if (!_waiting.TryRemove(id, out var waiting))
                    {
                        continue; // cancelled or timed out: nobody waits for it
                    }

                    var (compiled, failure) = CompileWorkerProtocol.ReadResult(reader, waiting.File);
                    waiting.Answer.TrySetResult(new Answer(compiled, failure, null));
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or EndOfStreamException or ObjectDisposedException)
            {
                _log.LogWarning("Unreadable answer from the compiler process (pid {Pid}): {Message}; stopping it.", Id, ex.Message);
                Kill();
            }

            _ended = true;
            _exited(this);
            var exit = Describe();
            foreach (var id in _waiting.Keys)
            {
                if (_waiting.TryRemove(id, out var waiting))
                {
                    waiting.Answer.TrySetResult(new Answer(null, null, exit));
                }
            }

            if (_process.HasExited && _process.ExitCode != 0)
            {
                _log.LogWarning("Compiler process (pid {Pid}) exited ({Exit}).", Id, exit);
            }
        }

        // Its stdout has ended: the process has (or is about to).
        private string Describe()
        {
            if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                return "its output ended";
            }

            // .NET reports a process ended by a signal as 128 + the signal's number.
            var code = _process.ExitCode;
            return code is > 128 and < 160
                ? string.Create(CultureInfo.InvariantCulture, $"signal {code - 128}{SignalName(code - 128)}")
                : string.Create(CultureInfo.InvariantCulture, $"exit code {code}");
        }

        private static string SignalName(int signal) => signal switch
        {
            6 => ", SIGABRT",
            9 => ", SIGKILL",
            11 => ", SIGSEGV",
            15 => ", SIGTERM",
            _ => string.Empty,
        };
    }
}
