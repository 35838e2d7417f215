using AgentPlugins.Sdk;

namespace AgentPlugins.Testing;

/// <summary>
/// The role's durable store as the test sees it (<see cref="RoleHarness.Store"/>): the same keys the
/// role's <c>context.Store</c> reads and writes, to seed values before a call and read what a handler
/// stored after. Writable here, whatever the role may do. Values are JSON: read a role's own type as
/// <see cref="System.Text.Json.JsonElement"/>, or as a shape of your own with the same properties.
/// </summary>
public sealed class HarnessStore
{
    private readonly IStoreService _store;
    private readonly string _role;
    private readonly RoleHarnessOptions _options;
    private readonly CancellationToken _lifetime;

    internal HarnessStore(IStoreService store, string role, RoleHarnessOptions options, CancellationToken lifetime)
    {
        _store = store;
        _role = role;
        _options = options;
        _lifetime = lifetime;
    }

    /// <summary>The keys of the options' user on the options' channel: what <c>context.Store.User</c> is in the harness's calls.</summary>
    public StoreScope User => Of(_options.User, _options.Channel);

    /// <summary>The role-wide keys: <c>context.Store.Role</c>.</summary>
    public StoreScope Role => Scopes(new EventContext(_options.Channel, null, DateTimeOffset.UnixEpoch, "test")).Role;

    /// <summary>The keys of another <paramref name="user"/> (on <paramref name="channel"/>, default the options' channel).</summary>
    public StoreScope Of(string user, string? channel = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        return Scopes(new EventContext(channel ?? _options.Channel, user, DateTimeOffset.UnixEpoch, "test")).User;
    }

    private RoleStore Scopes(EventContext origin) => new(_store, _role, origin, readOnlyBecause: null, _lifetime);
}
