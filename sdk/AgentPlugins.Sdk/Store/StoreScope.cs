using System.Text.Json;

namespace AgentPlugins.Sdk;

/// <summary>
/// One part of a role's store (<see cref="RoleStore.User"/> or <see cref="RoleStore.Role"/>): JSON
/// values under string keys. Reads and writes go to the host's store off the loop and come back on it.
/// </summary>
public sealed class StoreScope
{
    /// <summary>The longest key, in characters.</summary>
    public const int MaxKeyLength = 256;

    // Optimistic updates retry while another write keeps winning; within one role's turn that never happens.
    private const int UpdateAttempts = 20;

    private readonly IStoreService _store;
    private readonly string _role;
    private readonly string _scope;
    private readonly string? _readOnlyBecause;
    private readonly CancellationToken _cancellation;

    internal StoreScope(IStoreService store, string role, string scope, string? readOnlyBecause, CancellationToken cancellation)
    {
        _store = store;
        _role = role;
        _scope = scope;
        _readOnlyBecause = readOnlyBecause;
        _cancellation = cancellation;
    }

    /// <summary>The value of <paramref name="key"/>, or <c>default</c> when it has none.</summary>
    public async Task<T?> GetAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        var stored = await _store.GetAsync(Key(key), Token(cancellationToken)).ConfigureAwait(true);
        return stored is null ? default : Read<T>(key, stored.Json);
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>; refused past the role's quota, and outside intent handlers.</summary>
    public async Task SetAsync<T>(string key, T value, CancellationToken cancellationToken = default)
    {
        var storeKey = WritableKey(key);
        await _store.ReplaceAsync(storeKey, Write(value), expectedVersion: null, Token(cancellationToken)).ConfigureAwait(true);
    }

    /// <summary>Deletes <paramref name="key"/>; false when it had no value. Outside intent handlers it is refused.</summary>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var storeKey = WritableKey(key);
        var token = Token(cancellationToken);
        for (var attempt = 0; attempt < UpdateAttempts; attempt++)
        {
            var current = await _store.GetAsync(storeKey, token).ConfigureAwait(true);
            if (current is null)
            {
                return false;
            }

            if (await _store.ReplaceAsync(storeKey, null, current.Version, token).ConfigureAwait(true) is not null)
            {
                return true;
            }
        }

        throw KeptChanging(key, "delete");
    }

    /// <summary>The keys starting with <paramref name="prefix"/> (all when empty) and their values, in key order.</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, T>>> ListAsync<T>(string prefix = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var entries = await _store.ListAsync(_role, _scope, prefix, Token(cancellationToken)).ConfigureAwait(true);
        return [.. entries.Select(e => new KeyValuePair<string, T>(e.Key, Read<T>(e.Key, e.Json)!))];
    }

    /// <summary>
    /// Reads <paramref name="key"/>, applies <paramref name="update"/> and writes the result, as one
    /// step: if another write changed the key in between, nothing is written and the update runs again
    /// on the newer value, so <paramref name="update"/> must only compute (no I/O). Returns what it wrote.
    /// </summary>
    public async Task<T> UpdateAsync<T>(string key, Func<T?, T> update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var storeKey = WritableKey(key);
        var token = Token(cancellationToken);
        for (var attempt = 0; attempt < UpdateAttempts; attempt++)
        {
            var current = await _store.GetAsync(storeKey, token).ConfigureAwait(true);
            var next = update(current is null ? default : Read<T>(key, current.Json));
            if (await _store.ReplaceAsync(storeKey, Write(next), current?.Version ?? 0, token).ConfigureAwait(true) is not null)
            {
                return next;
            }

            // Writers that lost the race all retry at once and collide again (several hosts on one
            // database did, 20 times in a row): a random pause, growing with each loss, spreads them.
            await Task.Delay(Random.Shared.Next(1 << Math.Min(attempt, 5)), token).ConfigureAwait(true);
        }

        throw KeptChanging(key, "update");
    }

    private InvalidOperationException KeptChanging(string key, string doing) =>
        new($"Role {_role}: key '{key}' kept changing during {UpdateAttempts} attempts to {doing} it; nothing was written.");

    private StoreKey Key(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length is 0 or > MaxKeyLength)
        {
            throw new ArgumentException($"Role {_role}: a store key has 1 to {MaxKeyLength} characters; '{(key.Length > 40 ? key[..40] + "..." : key)}' has {key.Length}.", nameof(key));
        }

        return new StoreKey(_role, _scope, key);
    }

    private StoreKey WritableKey(string key)
    {
        if (_readOnlyBecause is not null)
        {
            throw new InvalidOperationException(
                $"Role {_role}: the store is read-only in {_readOnlyBecause} (writing '{key}'); return an intent and write in its intent handler (docs/roles.md).");
        }

        return Key(key);
    }

    private CancellationToken Token(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? cancellationToken : _cancellation;

    private T? Read<T>(string key, string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, StoreJson.For(typeof(T)));
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"Role {_role}: the value of '{key}' does not read as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    private static string Write<T>(T value) => JsonSerializer.Serialize(value, StoreJson.For(typeof(T)));
}
