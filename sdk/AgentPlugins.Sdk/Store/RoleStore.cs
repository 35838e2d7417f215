namespace AgentPlugins.Sdk;

/// <summary>
/// The role's durable store (<see cref="RoleContext.Store"/>): keys of the user the call came from
/// (<see cref="User"/>) and keys the whole role shares (<see cref="Role"/>). Values are JSON; they
/// survive reloads, deleting and restoring the role file, and host restarts. Only intent handlers
/// write; tools and prompt hooks read, so the model's choices turn into intents before anything changes.
/// </summary>
public sealed class RoleStore
{
    private readonly IStoreService _store;
    private readonly string _role;
    private readonly EventContext _origin;
    private readonly string? _readOnlyBecause;
    private readonly CancellationToken _cancellation;
    private StoreScope? _user;
    private StoreScope? _shared;

    /// <param name="store">The host's store.</param>
    /// <param name="role">Whose keys these are.</param>
    /// <param name="origin">Whose <see cref="User"/> keys these are.</param>
    /// <param name="readOnlyBecause">Null when the caller may write; else where it runs, for the refusal (<c>a tool</c>).</param>
    /// <param name="cancellation">Cancels every call when the role call is abandoned.</param>
    public RoleStore(IStoreService store, string role, EventContext origin, string? readOnlyBecause, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        ArgumentNullException.ThrowIfNull(origin);
        _store = store;
        _role = role;
        _origin = origin;
        _readOnlyBecause = readOnlyBecause;
        _cancellation = cancellation;
    }

    /// <summary>The keys of the user the call came from (on its channel); other users never see them.</summary>
    /// <exception cref="InvalidOperationException">The call has no user (a heartbeat, a host event): use <see cref="Role"/>.</exception>
    public StoreScope User => _user ??= _origin.User is { Length: > 0 } user
        ? new StoreScope(_store, _role, $"user:{_origin.Channel}:{user}", _readOnlyBecause, _cancellation)
        : throw new InvalidOperationException($"Role {_role}: this call has no user (it came from {_origin.Source}), so it has no per-user store; use context.Store.Role for role-wide keys.");

    /// <summary>Keys the whole role shares, whoever the call is for.</summary>
    public StoreScope Role => _shared ??= new StoreScope(_store, _role, "role", _readOnlyBecause, _cancellation);
}
