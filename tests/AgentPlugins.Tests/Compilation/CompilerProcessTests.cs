using System.Diagnostics;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Validation;
using AgentPlugins.Tests.Reload;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Tests.Compilation;

/// <summary>
/// The compiler process from the host's side: a real <c>host compile-worker</c> (this build, from the test's
/// output folder) started by <c>CompilerProcess</c>, killed, stopped and hung with real signals.
/// </summary>
public sealed class CompilerProcessTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly RoleCompiler InProcess = new(ReferenceSet.Default, RoleRules.Check);
    private readonly List<CompilerProcess> _compilers = [];
    private readonly LogRecorder _logs = new();

    public void Dispose()
    {
        foreach (var compiler in _compilers)
        {
            compiler.Dispose();
        }
    }

    [Fact]
    public void A_role_compiles_in_the_worker_as_in_process_with_the_stage_timings()
    {
        var compiler = Start();
        var file = RoleFile.FromText("/tmp/roles/echo.cs", SampleRoles.Echo("one"));

        var compiled = compiler.Compile(file);

        Assert.True(compiled.Succeeded, string.Join('\n', compiled.Diagnostics));
        Assert.Equal((file.Path, file.Hash), (compiled.Path, compiled.ContentHash));
        Assert.NotEmpty(compiled.Pdb!);
        Assert.Equal(InProcess.Fingerprint, compiler.Fingerprint);
        var timings = compiled.Timings!;
        Assert.False(timings.FromCache);
        Assert.True(timings.Started <= timings.Parsed && timings.Parsed <= timings.Checked && timings.Parsed <= timings.Emitted, $"{timings}");
        Assert.True(timings.Ended <= Stopwatch.GetTimestamp(), "the worker's timestamps are on the host's monotonic clock");
        Assert.Equal(1, compiler.Started);

        // The assembly is a role: it loads and has the role type.
        var context = new System.Runtime.Loader.AssemblyLoadContext("worker-output", isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(new MemoryStream(compiled.Assembly!), new MemoryStream(compiled.Pdb!));
            Assert.Contains(assembly.GetTypes(), t => t.Name == "EchoRole");
        }
        finally
        {
            context.Unload();
        }
    }

    [Theory]
    [InlineData("syntax", "public sealed class Broken : AgentPlugins.Sdk.IRole { int x = ; }")]
    [InlineData("binding", "public sealed class Broken { public int X() => \"text\"; private Missing y; }")]
    [InlineData("rules", "using AgentPlugins.Sdk;\npublic sealed class Sleepy { public void Nap() => System.Threading.Thread.Sleep(10); }\n#warning careful")]
    public void A_broken_file_gets_the_same_diagnostics_from_the_worker_as_in_process(string kind, string source)
    {
        var compiler = Start();
        var file = RoleFile.FromText($"/tmp/roles/{kind}.cs", source);

        var fromWorker = compiler.Compile(file);
        var inProcess = InProcess.Compile(file);

        Assert.False(fromWorker.Succeeded);
        Assert.NotEmpty(fromWorker.Diagnostics);
        Assert.Equal(inProcess.Diagnostics, fromWorker.Diagnostics);
        Assert.Equal(inProcess.Diagnostics.Select(d => d.ToString()), fromWorker.Diagnostics.Select(d => d.ToString()));
        Assert.All(fromWorker.Diagnostics, d => Assert.StartsWith($"/tmp/roles/{kind}.cs(", d.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Roles_compile_side_by_side_in_one_worker()
    {
        var compiler = Start();
        var files = Enumerable.Range(0, 6).Select(i => RoleFile.FromText($"/tmp/roles/echo{i}.cs", SampleRoles.Echo($"m{i}", $"echo{i}"))).ToList();

        var results = await Task.WhenAll(files.Select(file => Task.Run(() => compiler.Compile(file))));

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Equal(files.Select(f => f.Path), results.Select(r => r.Path));
        Assert.Equal(1, compiler.Started);
    }

    [Fact]
    public async Task A_worker_killed_between_compiles_is_started_again_by_the_next_one()
    {
        var compiler = Start();
        Assert.True(compiler.Compile(RoleFile.FromText("/tmp/roles/echo.cs", SampleRoles.Echo("one"))).Succeeded);
        var first = compiler.WorkerId!.Value;

        await HostProcess.SignalAsync(first, "KILL");
        await WaitUntilAsync(() => !HostProcess.IsRunning(first));

        var again = compiler.Compile(RoleFile.FromText("/tmp/roles/echo.cs", SampleRoles.Echo("two")));
        Assert.True(again.Succeeded, string.Join('\n', again.Diagnostics));
        Assert.Equal(2, compiler.Started);
        Assert.NotEqual(first, compiler.WorkerId);
    }

    [Fact]
    public async Task A_worker_killed_mid_compile_gives_that_file_an_error_naming_it_and_the_signal()
    {
        var compiler = Start();
        Assert.True(compiler.Compile(RoleFile.FromText("/tmp/roles/warm.cs", SampleRoles.Echo("warm"))).Succeeded);
        var worker = compiler.WorkerId!.Value;

        // Stopped, the worker holds the request unread: the kill lands while it is being compiled.
        await HostProcess.SignalAsync(worker, "STOP");
        var compiling = Task.Run(() => compiler.Compile(RoleFile.FromText("/tmp/roles/victim.cs", SampleRoles.Echo("victim"))));
        await Task.Delay(300);
        Assert.False(compiling.IsCompleted);
        await HostProcess.SignalAsync(worker, "KILL");

        var failed = await compiling.WaitAsync(Patience);
        var error = Assert.Single(failed.Diagnostics);
        Assert.False(failed.Succeeded);
        Assert.Equal(CompilerProcess.CompilerProcessFailed, error.Code);
        Assert.Equal("/tmp/roles/victim.cs", error.Path);
        Assert.Contains("the compiler process exited (signal 9, SIGKILL) while compiling /tmp/roles/victim.cs; the previous version keeps running", error.Message, StringComparison.Ordinal);

        Assert.True(compiler.Compile(RoleFile.FromText("/tmp/roles/victim.cs", SampleRoles.Echo("victim"))).Succeeded);
        Assert.Equal(2, compiler.Started);
    }

    [Fact]
    public async Task A_hung_worker_is_stopped_after_the_compile_timeout_and_the_next_compile_starts_another()
    {
        var compiler = Start();
        Assert.True(compiler.Compile(RoleFile.FromText("/tmp/roles/warm.cs", SampleRoles.Echo("warm"))).Succeeded);
        var hung = compiler.WorkerId!.Value;
        compiler.CompileTimeout = TimeSpan.FromSeconds(2);
        await HostProcess.SignalAsync(hung, "STOP");

        var failed = compiler.Compile(RoleFile.FromText("/tmp/roles/slow.cs", SampleRoles.Echo("slow")));

        var error = Assert.Single(failed.Diagnostics);
        Assert.Equal(CompilerProcess.CompilerProcessFailed, error.Code);
        Assert.Contains("did not finish compiling /tmp/roles/slow.cs within 2 s", error.Message, StringComparison.Ordinal);
        await WaitUntilAsync(() => !HostProcess.IsRunning(hung));
        compiler.CompileTimeout = Patience;
        Assert.True(compiler.Compile(RoleFile.FromText("/tmp/roles/slow.cs", SampleRoles.Echo("slow"))).Succeeded);
        Assert.Equal(2, compiler.Started);
    }

    [Fact]
    public async Task A_cancelled_compile_throws_and_its_late_answer_is_ignored()
    {
        var compiler = Start();
        Assert.True(compiler.Compile(RoleFile.FromText("/tmp/roles/warm.cs", SampleRoles.Echo("warm"))).Succeeded);
        var worker = compiler.WorkerId!.Value;
        await HostProcess.SignalAsync(worker, "STOP");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        Assert.ThrowsAny<OperationCanceledException>(() => compiler.Compile(RoleFile.FromText("/tmp/roles/late.cs", SampleRoles.Echo("late")), cancel.Token));

        await HostProcess.SignalAsync(worker, "CONT");
        var next = compiler.Compile(RoleFile.FromText("/tmp/roles/next.cs", SampleRoles.Echo("next")));
        Assert.True(next.Succeeded);
        Assert.Equal("/tmp/roles/next.cs", next.Path);
        Assert.Equal(worker, compiler.WorkerId);
    }

    [Fact]
    public async Task An_idle_worker_exits_and_the_next_compile_starts_another()
    {
        var compiler = Start(idleTimeout: TimeSpan.FromSeconds(1));
        Assert.True(compiler.Compile(RoleFile.FromText("/tmp/roles/echo.cs", SampleRoles.Echo("one"))).Succeeded);
        var worker = compiler.WorkerId!.Value;

        await WaitUntilAsync(() => compiler.WorkerId is null && !HostProcess.IsRunning(worker));

        Assert.True(compiler.Compile(RoleFile.FromText("/tmp/roles/echo.cs", SampleRoles.Echo("two"))).Succeeded);
        Assert.Equal(2, compiler.Started);
    }

    [Fact]
    public async Task Disposing_closes_the_workers_input_and_it_exits()
    {
        var compiler = Start();
        Assert.True(compiler.Compile(RoleFile.FromText("/tmp/roles/echo.cs", SampleRoles.Echo("one"))).Succeeded);
        var worker = compiler.WorkerId!.Value;

        compiler.Dispose();

        await WaitUntilAsync(() => !HostProcess.IsRunning(worker));
        Assert.Throws<ObjectDisposedException>(() => compiler.Compile(RoleFile.FromText("/tmp/roles/echo.cs", SampleRoles.Echo("two"))));
    }

    [Fact]
    public void No_worker_runs_before_the_first_compile()
    {
        var compiler = Start();

        Assert.Null(compiler.WorkerId);
        Assert.Equal(0, compiler.Started);
    }

    [Fact]
    public async Task The_worker_exits_2_on_a_request_it_cannot_read_and_0_at_the_end_of_its_input()
    {
        var (executable, arguments) = CompilerProcess.ThisHost();
        foreach (var (input, expected) in new[] { ("\u0005\0\0\0garbage", 2), (string.Empty, 0) })
        {
            var info = new ProcessStartInfo(executable) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments.Append("compile-worker"))
            {
                info.ArgumentList.Add(argument);
            }

            using var worker = Process.Start(info)!;
            await worker.StandardInput.WriteAsync(input);
            worker.StandardInput.Close();
            var stdout = await worker.StandardOutput.ReadToEndAsync();
            var stderr = await worker.StandardError.ReadToEndAsync();
            await worker.WaitForExitAsync().WaitAsync(Patience);

            Assert.Equal(expected, worker.ExitCode);
            Assert.Equal(string.Empty, stdout);
            if (expected == 2)
            {
                Assert.Contains("unreadable request", stderr, StringComparison.Ordinal);
            }
        }
    }

    private CompilerProcess Start(TimeSpan? idleTimeout = null)
    {
        var (executable, arguments) = CompilerProcess.ThisHost();
        var compiler = new CompilerProcess(
            executable,
            arguments,
            InProcess.Fingerprint,
            checkRules: true,
            idleTimeout ?? TimeSpan.FromMinutes(5),
            Patience,
            _logs.CreateLogger<CompilerProcess>());
        _compilers.Add(compiler);
        return compiler;
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
