using System.Collections.Concurrent;
using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Validation;

namespace AgentPlugins.Host.Commands;

/// <summary>
/// <c>host compile-worker [--no-rules]</c> (hidden): the host's compiler process (<see cref="CompilerProcess"/>).
/// Reads compile requests from stdin and writes results to stdout in <see cref="CompileWorkerProtocol"/>
/// frames, compiling side by side with the same <see cref="RoleCompiler"/>, references and role rules as
/// the host. Exits 0 at the end of stdin (the host closed it, stopped or died) and 2 on a frame it cannot
/// read (the host starts another). Nothing but frames goes to stdout; problems go to stderr.
/// </summary>
internal static class CompileWorkerCommand
{
    public const int Ended = 0;
    public const int BadRequest = 2;

    public static Command Create()
    {
        var noRules = new Option<bool>("--no-rules") { Description = "Compile without the role rules (roles:checkRules false)" };
        var command = new Command("compile-worker", "The host's compiler process: compile requests on stdin, results on stdout.") { noRules };
        command.Hidden = true;
        command.SetAction((result, _) =>
        {
            // Ctrl-C at a terminal and a service manager's stop signal the whole process group; the host
            // stops this process itself (it closes its input) once it has stopped compiling, so a signal
            // meant for the host must not end a compile or look like a crash.
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => context.Cancel = true);
            return Task.FromResult(Run(Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error, !result.GetValue(noRules)));
        });
        return command;
    }

    /// <summary>Serves requests from <paramref name="input"/> until it ends; returns the exit code.</summary>
    public static int Run(Stream input, Stream output, TextWriter errors, bool checkRules)
    {
        // Whatever else writes to the console (a library's stray line) must not land among the frames.
        Console.SetOut(errors);
        var compiler = new RoleCompiler(ReferenceSet.Default, checkRules ? RoleRules.Check : null);
        var running = new ConcurrentDictionary<long, CancellationTokenSource>();
        var writing = new Lock();
        var compiles = new List<Task>();
        try
        {
            while (CompileWorkerProtocol.ReadFrame(input) is { } frame)
            {
                using var reader = new BinaryReader(new MemoryStream(frame), Encoding.UTF8);
                switch (reader.ReadByte())
                {
                    case CompileWorkerProtocol.CompileRequest:
                        var id = reader.ReadInt64();
                        var (path, hash, text) = (reader.ReadString(), reader.ReadString(), reader.ReadString());
                        var cancel = new CancellationTokenSource();
                        running[id] = cancel;
                        compiles.RemoveAll(t => t.IsCompleted);
                        compiles.Add(Task.Run(() => Serve(compiler, new RoleFile(path, text, hash), id, cancel, running, output, writing, errors), CancellationToken.None));
                        break;
                    case CompileWorkerProtocol.CancelRequest:
                        if (running.TryRemove(reader.ReadInt64(), out var cancelled))
                        {
                            cancelled.Cancel();
                        }

                        break;
                    case var kind:
                        throw new InvalidDataException($"Unknown request kind {kind}.");
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
        {
            errors.WriteLine($"compile-worker: unreadable request ({ex.Message}); exiting.");
            return BadRequest;
        }

        // Input ended: the host is gone or wants this process gone; what is still compiling has no reader.
        return Ended;
    }

    private static void Serve(
        RoleCompiler compiler,
        RoleFile file,
        long id,
        CancellationTokenSource cancel,
        ConcurrentDictionary<long, CancellationTokenSource> running,
        Stream output,
        Lock writing,
        TextWriter errors)
    {
        Action<BinaryWriter> answer;
        try
        {
            var compiled = compiler.Compile(file, cancel.Token);
            answer = writer => CompileWorkerProtocol.WriteCompiled(writer, id, compiled);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return; // the host no longer waits for it
        }
        catch (Exception ex)
        {
            // A bug in the compiler on one file is that file's error, not the end of every compile.
            answer = writer => CompileWorkerProtocol.WriteFailed(writer, id, $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            // Not disposed: the reading thread may be cancelling it right now (it has no timer to release).
            running.TryRemove(id, out _);
        }

        try
        {
            lock (writing)
            {
                CompileWorkerProtocol.WriteFrame(output, answer);
            }
        }
        catch (IOException ex)
        {
            errors.WriteLine($"compile-worker: cannot write the result for {file.Path} ({ex.Message}).");
        }
    }
}
