using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Workflows;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Tests.Support;

/// <summary>A real <see cref="Runtime"/> on a temporary roles and data folder, with a recording console channel.</summary>
internal sealed class TestRuntime : IAsyncDisposable
{
    private TestRuntime(TempFolder folder, Runtime runtime, RecordingChannel console)
    {
        Folder = folder;
        Runtime = runtime;
        Console = console;
    }

    public TempFolder Folder { get; }

    public Runtime Runtime { get; }

    public RecordingChannel Console { get; }

    public string RolesFolder => Path.Combine(Folder.Path, "roles");

    public IReadOnlyList<RoleDiagnostic> StartupFailures { get; private set; } = [];

    /// <summary>Builds a runtime; <paramref name="roles"/> are file name → source written to its roles folder.</summary>
    public static TestRuntime Create(IReadOnlyDictionary<string, string>? roles = null, TimeProvider? clock = null, Func<AgentPluginsOptions, AgentPluginsOptions>? configure = null)
    {
        var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "roles"));
        foreach (var (name, source) in roles ?? new Dictionary<string, string>())
        {
            folder.Write(Path.Combine("roles", name), source);
        }

        var options = new AgentPluginsOptions
        {
            Roles = new RolesOptions { Folder = Path.Combine(folder.Path, "roles") },
            Storage = new StorageOptions { DataFolder = Path.Combine(folder.Path, "data") },
        };
        options = configure?.Invoke(options) ?? options;
        var console = new RecordingChannel();
        var runtime = new Runtime(options, clock ?? TimeProvider.System, NullLoggerFactory.Instance, [console]);
        return new TestRuntime(folder, runtime, console);
    }

    public async Task<TestRuntime> StartAsync()
    {
        StartupFailures = await Runtime.StartAsync();
        return this;
    }

    /// <summary>Sends <paramref name="text"/> as a console request and returns the reply.</summary>
    public Task<Reply> AskAsync(string text) =>
        Runtime.Loop.InvokeAsync(() => Runtime.Workflows.HandleAsync(
            new Request(text, "console", "tester"),
            reply => Console.SendAsync(new AgentPlugins.Host.Channels.OutgoingMessage(reply.Text, "tester", AgentPlugins.Sdk.Priority.Medium, AgentPlugins.Host.Channels.MessageKind.Reply), CancellationToken.None)));

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync();
        Folder.Dispose();
    }
}
