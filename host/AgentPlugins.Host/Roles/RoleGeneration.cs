using AgentPlugins.Host.Bus;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// One loaded version of one role file: its collectible context, the role instance and what it
/// registered. When retired it lets go of every role object so the context can unload.
/// </summary>
internal sealed class RoleGeneration
{
    private RoleLoadContext? _context;

    public RoleGeneration(
        string path,
        string contentHash,
        RoleLoadContext context,
        IRole role,
        RoleConfig config,
        RoleBuilder registration,
        KernelPlugin tools,
        RoleSettings settings)
    {
        Path = path;
        ContentHash = contentHash;
        _context = context;
        Role = role;
        Config = config;
        Registration = registration;
        Tools = tools;
        Settings = settings;
        Subscriber = new BusSubscriber(config.Name);
    }

    public string Path { get; }

    public string ContentHash { get; }

    public string Name => Config.Name;

    public RoleConfig Config { get; }

    /// <summary>Numbered per role file, from 1, in load order.</summary>
    public int Number { get; set; }

    public DateTimeOffset LoadedAt { get; set; }

    public IRole? Role { get; private set; }

    public RoleBuilder? Registration { get; private set; }

    public KernelPlugin? Tools { get; private set; }

    public RoleSettings Settings { get; }

    public BusSubscriber Subscriber { get; }

    /// <summary>Cancelled when the generation is retired; intent handlers see it as their cancellation.</summary>
    public CancellationTokenSource Lifetime { get; } = new();

    /// <summary>
    /// Lets go of the role and unloads its context. Returns a weak reference to the context, to
    /// verify that it really went.
    /// </summary>
    public WeakReference Unload()
    {
        var context = _context ?? throw new InvalidOperationException($"Generation {Number} of {Name} is already unloaded.");
        _context = null;
        Role = null;
        Registration = null;
        Tools = null;
        Lifetime.Cancel();
        Lifetime.Dispose();
        var reference = new WeakReference(context, trackResurrection: false);
        context.Unload();
        return reference;
    }
}
