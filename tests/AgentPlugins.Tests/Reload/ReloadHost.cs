using System.Diagnostics;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Tests.Reload;

/// <summary>A real <see cref="Runtime"/> watching a temporary roles folder, with a console and a sink channel.</summary>
internal sealed class ReloadHost : IAsyncDisposable
{
    private int _pings;

    private ReloadHost(TempFolder folder, Runtime runtime, RecordingChannel console, SinkChannel sink)
    {
        Folder = folder;
        Runtime = runtime;
        Console = console;
        Sink = sink;
    }

    public TempFolder Folder { get; }

    public Runtime Runtime { get; }

    public RecordingChannel Console { get; }

    public SinkChannel Sink { get; }

    public string RolesFolder => Path.Combine(Folder.Path, "roles");

    public string DataFolder => Path.Combine(Folder.Path, "data");

    public static Task<ReloadHost> StartAsync(IReadOnlyDictionary<string, string> roles, Func<RolesOptions, RolesOptions>? configure = null, LoopOptions? loop = null) =>
        StartAsync(new TempFolder(), roles, configure, loop);

    /// <summary>Starts a runtime on <paramref name="folder"/> (reused by restart tests), writing <paramref name="roles"/> first.</summary>
    public static async Task<ReloadHost> StartAsync(TempFolder folder, IReadOnlyDictionary<string, string> roles, Func<RolesOptions, RolesOptions>? configure = null, LoopOptions? loop = null)
    {
        Directory.CreateDirectory(Path.Combine(folder.Path, "roles"));
        foreach (var (name, source) in roles)
        {
            folder.Write(Path.Combine("roles", name), source);
        }

        var rolesOptions = new RolesOptions { Folder = Path.Combine(folder.Path, "roles") };
        var options = new AgentPluginsOptions
        {
            Roles = configure?.Invoke(rolesOptions) ?? rolesOptions,
            Storage = new StorageOptions { DataFolder = Path.Combine(folder.Path, "data") },
            Loop = loop ?? new LoopOptions(),
        };
        var console = new RecordingChannel();
        var sink = new SinkChannel();
        var runtime = new Runtime(options, TimeProvider.System, NullLoggerFactory.Instance, [console, sink]);
        var host = new ReloadHost(folder, runtime, console, sink);
        await runtime.StartAsync();
        return host;
    }

    public string PathOf(string file) => Path.Combine(RolesFolder, file);

    public void Write(string file, string source) => File.WriteAllText(PathOf(file), source);

    public RoleStatus? StatusOf(string file) => Runtime.Roles.Status.FirstOrDefault(s => s.Path == PathOf(file));

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
        await Runtime.Bus.PublishAsync(new BusEvent("PING", new Dictionary<string, string> { ["seq"] = seq }), EventOrigin.Host);
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

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        Folder.Dispose();
    }
}
