using Microsoft.Extensions.Logging;

namespace AgentPlugins.Sdk;

/// <summary>
/// What all role code that may use the host's services sees, whether it is a tool (<see cref="ToolContext"/>), an intent handler
/// (<see cref="IntentContext"/>) or a prompt hook (<see cref="PromptContext"/>): the role it runs as,
/// where the call came from, and host services bound to that origin. The services belong to the host
/// and outlive role generations, so a role keeps none of its own.
/// </summary>
public abstract class RoleContext
{
    private readonly RoleScope _scope;
    private RoleTimers? _timers;
    private RoleStore? _store;
    private HttpClient? _http;

    // private protected: the host derives the contexts above, and a role never derives its own.
    private protected RoleContext(RoleScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(scope.Role, nameof(scope));
        _scope = scope;
    }

    /// <summary>The name of the role whose code runs.</summary>
    public string Role => _scope.Role;

    /// <summary>Where the call came from: the request's channel and user, or the event's.</summary>
    public EventContext Origin => _scope.Origin;

    /// <summary>The role's settings from plugins.json (<c>roles:settings:NAME</c>).</summary>
    public RoleSettings Settings => _scope.Settings;

    /// <summary>The host clock; use it instead of <c>DateTime.Now</c>.</summary>
    public TimeProvider Clock => _scope.Clock;

    /// <summary>A logger named after the role.</summary>
    public ILogger Log => _scope.Log;

    /// <summary>
    /// The host's timers on behalf of <see cref="Origin"/>: a timer set here belongs to the origin's
    /// user and its expiry goes back to the origin's channel, the way <c>NotifyAsync</c> answers.
    /// </summary>
    public RoleTimers Timers => _timers ??= new RoleTimers(_scope.Timers, _scope.Origin, _scope.Role, _scope.Cancellation);

    /// <summary>
    /// The role's durable store: <c>Store.User</c> for the origin user's keys, <c>Store.Role</c> for
    /// role-wide ones. Intent handlers read and write; tools and prompt hooks only read.
    /// </summary>
    public RoleStore Store => _store ??= new RoleStore(
        _scope.Store ?? throw new InvalidOperationException($"Role {Role}: the store is not reachable from this call (intent handlers reach it)."),
        Role,
        Origin,
        this switch { IntentContext => null, ToolContext => "a tool", _ => "a prompt hook" },
        Cancellation);

    /// <summary>
    /// The role's HTTP client, owned by the host (it outlives role generations, so a role never needs
    /// its own): base address, timeout, retries, headers and allowed hosts come from plugins.json
    /// <c>roles:settings:NAME:http</c>. A failure names the role, host and cause (a timeout, a refused
    /// connection, a host not allowed). In a tool it only reads (GET, HEAD): changes go through intents.
    /// </summary>
    public HttpClient Http => _http ??= _scope.Http();

    /// <summary>
    /// Cancelled when the call is abandoned: for an intent handler, when the role generation that
    /// registered it is retired; for a tool or a prompt hook, when the request is.
    /// </summary>
    public CancellationToken Cancellation => _scope.Cancellation;
}
