using AgentPlugins.Sdk;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Testing;

/// <summary>
/// What <c>host repl</c> gives its C# prompt: load a role (again, after an edit), call its tools, raise
/// events, run its intents against the kit's recording fakes, and look at what came out. The methods
/// wait for what they start, so a prompt line needs no <c>await</c>.
/// </summary>
public sealed class ReplGlobals : IDisposable
{
    private readonly Func<string, string> _locate;
    private readonly Func<string, RoleHarnessOptions> _optionsFor;
    private RoleHarness? _role;

    /// <param name="locate">Turns what <see cref="Load"/> is given (a path, or a role name) into a role file path.</param>
    /// <param name="optionsFor">What a role file loads with (its settings, its network); default: the kit's defaults.</param>
    public ReplGlobals(Func<string, string>? locate = null, Func<string, RoleHarnessOptions>? optionsFor = null)
    {
        _locate = locate ?? Path.GetFullPath;
        _optionsFor = optionsFor ?? (_ => new RoleHarnessOptions());
    }

    /// <summary>What the prompt can do, in a few lines.</summary>
    public static string Help => """
        Load("roles/timer.cs") or Load("timer")   load a role (again: re-reads the file); #load PATH does the same
        Role                                      the loaded role (a RoleHarness): Role.Registration, Role.Config, ...
        Call("set_timer", new { duration = "5m" })  call a tool by name, arguments by name, as a model does
        Command("set_timer 5m tea")               call a tool as typed after /role
        Raise("TIMER_EXPIRED", new Dictionary<string, string> { ["label"] = "tea" })  an event in, its intents out
        Handle(intents)                           run the intents the role handles against the fakes
        Notifications, Timers.Pending, Published  what the intent handlers did; Clock.Advance(TimeSpan.FromMinutes(5)) moves time
        Store.User.GetAsync<string>("key")        the role's store (a temporary one, empty at each Load)
        A role's settings and HTTP client come from plugins.json (roles:settings:NAME and its http section), as
        in `host run`: its tools and handlers reach the real network (--no-network refuses every call).
        #help, #exit (or Ctrl-D)
        Each Load keeps the role it replaces in memory until the repl ends (C# scripting never unloads
        what it compiled either): the repl is for short sessions; the host itself reloads roles without that cost.
        """;

    /// <summary>The role loaded last.</summary>
    /// <exception cref="InvalidOperationException">None is loaded yet.</exception>
    public RoleHarness Role => _role ?? throw new InvalidOperationException("No role loaded yet: Load(\"roles/NAME.cs\") or Load(\"NAME\").");

    public IReadOnlyList<SentNotification> Notifications => Role.Notifications;

    public IReadOnlyList<BusEvent> Published => Role.Published;

    public RecordingTimers Timers => Role.Timers;

    public FakeTimeProvider Clock => Role.Clock;

    public HarnessStore Store => Role.Store;

    /// <summary>Loads (or re-reads) a role file, found by path or by role name, and makes it <see cref="Role"/>.</summary>
    /// <exception cref="RoleLoadException">It does not load; the message lists the diagnostics. The role loaded before stays.</exception>
    public RoleHarness Load(string roleOrFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(roleOrFile);
        var path = _locate(roleOrFile);
        var loaded = RoleHarness.LoadAsync(path, _optionsFor(path)).GetAwaiter().GetResult();
        _role?.Dispose();
        _role = loaded;
        return loaded;
    }

    /// <summary>Calls a tool with arguments by name (<c>new { duration = "5m" }</c> or a dictionary).</summary>
    public ToolResult Call(string tool, object? arguments = null) => Role.CallToolAsync(tool, arguments).GetAwaiter().GetResult();

    /// <summary>Calls a tool as typed after <c>/role</c>: <c>set_timer 5m label=tea</c>.</summary>
    public ToolResult Command(string line) => Role.CommandAsync(line).GetAwaiter().GetResult();

    /// <summary>Raises an event to the role and returns its intents.</summary>
    public IReadOnlyList<Intent> Raise(string eventType, IReadOnlyDictionary<string, string>? data = null) => Role.Raise(eventType, data);

    /// <summary>Runs the intents the role handles (from a tool or an event); returns those the host would carry out instead.</summary>
    public IReadOnlyList<Intent> Handle(IEnumerable<Intent> intents) => Role.HandleAllAsync(intents).GetAwaiter().GetResult();

    /// <summary>Runs the intents of a tool's result; see <see cref="Handle(IEnumerable{Intent})"/>.</summary>
    public IReadOnlyList<Intent> Handle(ToolResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Handle(result.Intents);
    }

    public void Dispose() => _role?.Dispose();
}
