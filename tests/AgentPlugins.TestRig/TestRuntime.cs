using System.Diagnostics;
using AgentPlugins.Host.Agents;
using AgentPlugins.Host.Audit;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Requests;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Host.Roles.Watching;
using AgentPlugins.Host.Store;
using AgentPlugins.Host.Timers;
using AgentPlugins.Host.Workflows;
using AgentPlugins.Sdk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Tests.Support;

/// <summary>
/// The real runtime, composed the way <c>host run</c> composes it (<see cref="AgentPluginsServices.AddAgentPlugins"/>),
/// on a temporary roles and data folder, with a recording console channel and a sink channel.
/// </summary>
internal sealed class TestRuntime : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private int _pings;

    private TestRuntime(TempFolder folder, ServiceProvider services, RecordingChannel console, SinkChannel sink)
    {
        Folder = folder;
        _services = services;
        Console = console;
        Sink = sink;
    }

    public TempFolder Folder { get; }

    public RecordingChannel Console { get; }

    public SinkChannel Sink { get; }

    public string RolesFolder => Path.Combine(Folder.Path, "roles");

    public string DataFolder => Path.Combine(Folder.Path, "data");

    public IReadOnlyList<RoleDiagnostic> StartupFailures => Service.StartupFailures;

    public AgentPluginsService Service => Get<AgentPluginsService>();

    public EventLoop Loop => Get<EventLoop>();

    public MessageBus Bus => Get<MessageBus>();

    public IntentProcessor Intents => Get<IntentProcessor>();

    public RoleLifecycle Roles => Get<RoleLifecycle>();

    public RoleReloader Reloader => Get<RoleReloader>();

    public UnloadVerifier Unloads => Get<UnloadVerifier>();

    public RoleCompiler Compiler => Get<RoleCompiler>();

    public CompileCache CompileCache => Get<CompileCache>();

    public AuditLog Audit => Get<AuditLog>();

    public DurableTimerService Timers => Get<DurableTimerService>();

    public IRoleStore Store => Get<IRoleStore>();

    public WorkflowEngine Workflows => Get<WorkflowEngine>();

    public AgentDispatcher? Agents => Get<AgentsSlot>().Agents;

    /// <summary>Builds a runtime; <paramref name="roles"/> are file name → source written to its roles folder.</summary>
    public static TestRuntime Create(IReadOnlyDictionary<string, string>? roles = null, TimeProvider? clock = null, Func<AgentPluginsOptions, AgentPluginsOptions>? configure = null, TempFolder? folder = null, ILoggerFactory? logs = null)
    {
        folder ??= new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "roles"));
        foreach (var (name, source) in roles ?? new Dictionary<string, string>())
        {
            folder.Write(Path.Combine("roles", name), source);
        }

        var options = new AgentPluginsOptions
        {
            // No periodic rescan unless a test asks for one: tests retire roles whose files stay on disk.
            Roles = new RolesOptions { Folder = Path.Combine(folder.Path, "roles"), RescanInterval = TimeSpan.Zero },
            Storage = new StorageOptions { DataFolder = Path.Combine(folder.Path, "data") },
        };
        options = configure?.Invoke(options) ?? options;
        var console = new RecordingChannel();
        var sink = new SinkChannel();
        var services = new ServiceCollection();
        services.AddSingleton(logs ?? NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), logs is null ? typeof(NullLogger<>) : typeof(Logger<>));
        services.AddSingleton(clock ?? TimeProvider.System);
        services.AddSingleton<IChannel>(console);
        services.AddSingleton<IChannel>(sink);
        services.AddAgentPlugins(options);
        return new TestRuntime(folder, services.BuildServiceProvider(), console, sink);
    }

    /// <summary>Starts a runtime watching a new temporary roles folder holding <paramref name="roles"/>.</summary>
    public static Task<TestRuntime> StartAsync(IReadOnlyDictionary<string, string> roles, Func<RolesOptions, RolesOptions>? configure = null, LoopOptions? loop = null, ILoggerFactory? logs = null) =>
        StartAsync(new TempFolder(), roles, configure, loop, logs);

    /// <summary>Starts a runtime on <paramref name="folder"/> (reused by restart tests), writing <paramref name="roles"/> first.</summary>
    public static Task<TestRuntime> StartAsync(TempFolder folder, IReadOnlyDictionary<string, string> roles, Func<RolesOptions, RolesOptions>? configure = null, LoopOptions? loop = null, ILoggerFactory? logs = null) =>
        Create(roles, configure: options => options with
        {
            Roles = configure?.Invoke(options.Roles) ?? options.Roles,
            Loop = loop ?? options.Loop,
        }, folder: folder, logs: logs).StartAsync();

    public async Task<TestRuntime> StartAsync()
    {
        await Service.StartAsync(CancellationToken.None);
        return this;
    }

    public Task StopAsync() => Service.StopAsync(CancellationToken.None);

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Sends <paramref name="text"/> as a console request and returns the reply.</summary>
    public Task<Reply> AskAsync(string text) =>
        Workflows.SubmitAsync(
            new Request(text, "console", "tester"),
            reply => Console.SendAsync(new OutgoingMessage(reply.Text, "tester", Priority.Medium, MessageKind.Reply), CancellationToken.None));

    /// <summary>Applies <paramref name="source"/> as the content of <paramref name="path"/> (no file written); returns its errors.</summary>
    public async Task<IReadOnlyList<RoleDiagnostic>> LoadSourceAsync(string path, string source) =>
        (await Roles.ApplyAsync(RoleFile.FromText(path, source))).Diagnostics;

    /// <summary>Reads and loads <paramref name="path"/> again, even unchanged; returns its errors (empty when it serves).</summary>
    public async Task<IReadOnlyList<RoleDiagnostic>> LoadFileAsync(string path) =>
        (await Roles.ReloadAsync(RoleFile.FromText(path, await File.ReadAllTextAsync(path)))).Diagnostics;

    public Task<RetireOutcome> RetireAsync(string path) => Roles.RetireAsync(path);

    public string PathOf(string file) => Path.Combine(RolesFolder, file);

    public void Write(string file, string source) => File.WriteAllText(PathOf(file), source);

    public RoleStatus? StatusOf(string file) => Roles.StatusOf(PathOf(file));

    /// <summary>Waits until <paramref name="file"/>'s status satisfies <paramref name="condition"/>.</summary>
    public async Task<RoleStatus> WaitForAsync(string file, Func<RoleStatus, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        while (true)
        {
            if (StatusOf(file) is { } status && condition(status))
            {
                return status;
            }

            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"{file} never reached the expected state; last: {StatusOf(file)?.ToString() ?? "no status"} {string.Join(" | ", StatusOf(file)?.LastErrors ?? [])}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Publishes one PING and returns the marker of the generation that answered it, or null when none did within <paramref name="wait"/>.</summary>
    public async Task<string?> PingAsync(TimeSpan? wait = null)
    {
        var seq = $"p{Interlocked.Increment(ref _pings)}";
        await Bus.PublishAsync(new BusEvent("PING", new Dictionary<string, string> { ["seq"] = seq }), EventOrigin.Host);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < (wait ?? TimeSpan.FromSeconds(10)))
        {
            if (Sink.MarkerOf(seq) is { } marker)
            {
                return marker;
            }

            await Task.Delay(5);
        }

        return null;
    }

    /// <summary>Stops and disposes the runtime, keeping its folders (a restart test starts another on them).</summary>
    public ValueTask ShutDownAsync() => _services.DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await ShutDownAsync();
        Folder.Dispose();
    }
}
