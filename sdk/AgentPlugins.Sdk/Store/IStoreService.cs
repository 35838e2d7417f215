namespace AgentPlugins.Sdk;

/// <summary>
/// The host's durable key/value store for roles, in SQLite. Values are JSON text; each write gives
/// the key a new version, never reused, so <see cref="ReplaceAsync"/> can tell whether a value
/// changed since it was read. A role reaches it through <see cref="RoleContext.Store"/>, which binds
/// the role and the user, serializes values, and refuses writes outside intent handlers.
/// </summary>
public interface IStoreService
{
    /// <summary>The value of <paramref name="key"/>, or null when it has none.</summary>
    Task<StoredValue?> GetAsync(StoreKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="json"/> (or deletes the key when null) if the key's version is still
    /// <paramref name="expectedVersion"/> (0: the key has no value); with null, unconditionally.
    /// Refused with <see cref="StoreQuotaException"/> when the role's store would outgrow its quota.
    /// </summary>
    /// <returns>The key's new version (0 once deleted), or null when the version did not match and nothing was written.</returns>
    Task<long?> ReplaceAsync(StoreKey key, string? json, long? expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>The keys of a role's scope that start with <paramref name="prefix"/>, with their values, in key order.</summary>
    Task<IReadOnlyList<StoredEntry>> ListAsync(string role, string scope, string prefix, CancellationToken cancellationToken = default);
}

/// <summary>One key of one role: <paramref name="Scope"/> is <c>role</c> (role-wide) or <c>user:CHANNEL:USER</c>.</summary>
public sealed record StoreKey(string Role, string Scope, string Key);

/// <summary>A value as stored: its JSON text and its version.</summary>
public sealed record StoredValue(string Json, long Version);

/// <summary>A key and its value, as listed.</summary>
public sealed record StoredEntry(string Key, string Json, long Version);

/// <summary>A write that would take a role's store past its quota; nothing was written.</summary>
public sealed class StoreQuotaException : InvalidOperationException
{
    public StoreQuotaException()
    {
    }

    public StoreQuotaException(string message)
        : base(message)
    {
    }

    public StoreQuotaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
