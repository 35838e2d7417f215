using System.Runtime.Loader;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// One loaded version of one role (a role file, or one role type of a compiled plugin): its collectible context, the role instance and what it
/// registered. When retired it lets go of every role object so the context can unload.
/// </summary>
internal sealed class RoleGeneration
{
    private readonly HashSet<Task> _inFlight = [];
    private readonly Lock _gate = new();
    private AssemblyLoadContext? _context;
    private volatile int _state = (int)GenerationState.Loading;

    public RoleGeneration(
        string path,
        string contentHash,
        AssemblyLoadContext context,
        IRole role,
        RoleConfig config,
        RoleBuilder registration,
        KernelPlugin tools,
        RoleSettings settings,
        byte[]? image = null)
    {
        Path = path;
        ContentHash = contentHash;
        _context = context;
        Role = role;
        Config = config;
        Registration = registration;
        Tools = tools;
        Settings = settings;
        Image = image;
        Guard = new GenerationGuard(config.Name, path, contentHash);
        Subscriber = new BusSubscriber(config.Name, Guard);
    }

    public string Path { get; }

    public string ContentHash { get; }

    /// <summary>The compiled plugin this role came from (its configured path), or null for a role file.</summary>
    public string? Plugin { get; init; }

    public string Name => Config.Name;

    public RoleConfig Config { get; }

    /// <summary>Numbered per role (by name), from 1, in load order.</summary>
    public int Number
    {
        get => Guard.Generation;
        set => Guard.Generation = value;
    }

    /// <summary>What the loop's supervision knows of this generation: the watchdog's quarantine flag, set from any thread.</summary>
    public GenerationGuard Guard { get; }

    public DateTimeOffset LoadedAt { get; set; }

    public IRole? Role { get; private set; }

    public RoleBuilder? Registration { get; private set; }

    public KernelPlugin? Tools { get; private set; }

    public RoleSettings Settings { get; }

    /// <summary>The role assembly's bytes, kept to name a likely cause if the context never unloads.</summary>
    public byte[]? Image { get; }

    public BusSubscriber Subscriber { get; }

    /// <summary>The intent routes this generation holds while it serves (set by the lifecycle).</summary>
    public IReadOnlyList<(Type IntentType, IntentRoute Route)> Routes { get; set; } = [];

    /// <summary>Where this generation stands; the one answer to "does it serve?". Readable from any thread.</summary>
    public GenerationState State => (GenerationState)_state;

    /// <summary>
    /// Moves to <paramref name="next"/> along the one path a generation takes (see
    /// <see cref="GenerationState"/>); false, changing nothing, for a step not on it. Only the
    /// lifecycle calls this. Anything but <see cref="GenerationState.Serving"/> silences the bus at once.
    /// </summary>
    public bool MoveTo(GenerationState next)
    {
        while (true)
        {
            var current = _state;
            if (!Allowed((GenerationState)current, next))
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, (int)next, current) == current)
            {
                Subscriber.Silenced = next != GenerationState.Serving;
                return true;
            }
        }
    }

    /// <summary>Cancelled when the generation is retired; intent handlers see it as their cancellation.</summary>
    public CancellationTokenSource Lifetime { get; } = new();

    /// <summary>
    /// Completes when the generation takes events directly: at once, unless it replaced one whose
    /// intent handlers were still running, in which case its events wait (kept in order) until
    /// those ended or the drain timeout passed.
    /// </summary>
    public Task Serving { get; set; } = Task.CompletedTask;

    /// <summary>Intent handler calls of this generation that have not finished yet.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>Remembers <paramref name="task"/>, an intent handler call, until it ends, so retiring can wait for it.</summary>
    public Task Track(Task task)
    {
        if (task.IsCompleted)
        {
            return task;
        }

        lock (_gate)
        {
            _inFlight.Add(task);
        }

        task.ContinueWith(
            static (done, state) =>
            {
                var generation = (RoleGeneration)state!;
                lock (generation._gate)
                {
                    generation._inFlight.Remove(done);
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return task;
    }

    /// <summary>Waits, up to <paramref name="timeout"/>, for the intent handler calls still running. False when some did not end.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        Task[] running;
        lock (_gate)
        {
            running = [.. _inFlight];
        }

        if (running.Length == 0)
        {
            return true;
        }

        var all = Task.WhenAll(running);
        var finished = await Task.WhenAny(all, Task.Delay(timeout)).ConfigureAwait(false);

        // Handlers that fail are reported by the intent processor; here only their end matters.
        _ = all.Exception;
        return finished == all;
    }

    private static bool Allowed(GenerationState from, GenerationState to) => (from, to) switch
    {
        (GenerationState.Loading, GenerationState.Serving or GenerationState.Refused) => true,
        (GenerationState.Serving, GenerationState.Draining or GenerationState.Quarantined or GenerationState.Withdrawn) => true,
        (GenerationState.Draining or GenerationState.Quarantined or GenerationState.Refused, GenerationState.Withdrawn) => true,
        (GenerationState.Withdrawn, GenerationState.Unloaded or GenerationState.Leaked) => true,
        _ => false,
    };

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
        Routes = [];
        Lifetime.Cancel();
        Lifetime.Dispose();
        var reference = new WeakReference(context, trackResurrection: false);
        context.Unload();
        return reference;
    }
}
