using AgentPlugins.Host.Agents;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Requests;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Agents;

/// <summary>A real runtime whose three tiers point at a <see cref="ScriptedModelServer"/>, with the repository's router, planner and timer roles.</summary>
internal sealed class AgentHarness : IAsyncDisposable
{
    public const string WeakModel = "weak-model";
    public const string DefaultModel = "default-model";
    public const string StrongModel = "strong-model";

    private AgentHarness(ScriptedModelServer server, TestRuntime runtime)
    {
        Server = server;
        Test = runtime;
    }

    public ScriptedModelServer Server { get; }

    public TestRuntime Test { get; }

    public TestRuntime Runtime => Test;

    public static async Task<AgentHarness> StartAsync(
        IReadOnlyDictionary<string, string>? extraRoles = null,
        Func<LlmOptions, LlmOptions>? configure = null,
        string? dataFolder = null,
        ScriptedModelServer? server = null,
        Func<AgentPluginsOptions, AgentPluginsOptions>? options = null)
    {
        server ??= new ScriptedModelServer();
        var roles = new Dictionary<string, string>
        {
            ["router.cs"] = await File.ReadAllTextAsync(Repository.SampleRole("router.cs")),
            ["planner.cs"] = await File.ReadAllTextAsync(Repository.SampleRole("planner.cs")),
            ["timer.cs"] = await File.ReadAllTextAsync(Repository.SampleRole("timer.cs")),
        };
        foreach (var (name, source) in extraRoles ?? new Dictionary<string, string>())
        {
            roles[name] = source;
        }

        var llm = Options(server.Endpoint);
        llm = configure?.Invoke(llm) ?? llm;
        var runtime = TestRuntime.Create(roles, configure: defaults =>
        {
            var configured = defaults with
            {
                Llm = llm,
                Storage = dataFolder is null ? defaults.Storage : new StorageOptions { DataFolder = dataFolder },
            };
            return options?.Invoke(configured) ?? configured;
        });
        await runtime.StartAsync();
        Assert.Empty(runtime.StartupFailures);
        return new AgentHarness(server, runtime);
    }

    public static LlmOptions Options(string endpoint) => new()
    {
        Providers = new() { ["local"] = new LlmProviderOptions { Endpoint = endpoint, Timeout = TimeSpan.FromSeconds(5), Retries = 2, RetryDelay = TimeSpan.FromMilliseconds(20) } },
        Tiers = new LlmTiersOptions
        {
            Weak = new LlmTierOptions { Provider = "local", Model = WeakModel },
            Default = new LlmTierOptions { Provider = "local", Model = DefaultModel },
            Strong = new LlmTierOptions { Provider = "local", Model = StrongModel },
        },
    };

    /// <summary>Sends a console request; fails the test instead of hanging.</summary>
    public Task<Reply> AskAsync(string text) => Test.AskAsync(text).WaitAsync(TimeSpan.FromSeconds(20));

    public int LoopThread => Runtime.Loop.ThreadId!.Value;

    public async ValueTask DisposeAsync()
    {
        await Test.DisposeAsync();
        await Server.DisposeAsync();
    }
}
