using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Bench.Reload;

/// <summary>A real runtime on a temporary folder holding the sample role, with a sink channel.</summary>
internal sealed class BenchRuntime : IAsyncDisposable
{
    private BenchRuntime(string folder, Runtime runtime, SinkChannel sink)
    {
        Folder = folder;
        Runtime = runtime;
        Sink = sink;
    }

    public string Folder { get; }

    public Runtime Runtime { get; }

    public SinkChannel Sink { get; }

    public string RolePath => Path.Combine(Folder, "roles", "sample.cs");

    public static async Task<BenchRuntime> StartAsync(bool watch)
    {
        var folder = Path.Combine(Path.GetTempPath(), "agentplugins-bench", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(folder, "roles"));
        await File.WriteAllTextAsync(Path.Combine(folder, "roles", "sample.cs"), BenchRoles.Sample("start"));
        var options = new AgentPluginsOptions
        {
            Roles = new RolesOptions { Folder = Path.Combine(folder, "roles"), Watch = watch },
            Storage = new StorageOptions { DataFolder = Path.Combine(folder, "data") },
        };
        var sink = new SinkChannel();
        var runtime = new Runtime(options, TimeProvider.System, NullLoggerFactory.Instance, [sink, new ConsoleChannel(TextWriter.Null)]);
        await runtime.StartAsync();
        await runtime.Warmup;
        return new BenchRuntime(folder, runtime, sink);
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
