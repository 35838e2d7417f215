using System.Collections.Concurrent;
using System.Globalization;

namespace AgentPlugins.Host.Http;

/// <summary>The current <see cref="RoleHttpState"/> of every role that used HTTP, by role and by client name.</summary>
internal sealed class RoleHttpRegistry
{
    private readonly ConcurrentDictionary<string, RoleHttpState> _byRole = new(StringComparer.OrdinalIgnoreCase);
    private int _versions;

    /// <summary>The role's state for <paramref name="options"/>: the same while they are unchanged, a new version when they change.</summary>
    public RoleHttpState Current(string role, RoleHttpOptions options) =>
        _byRole.AddOrUpdate(
            role,
            (name, next) => new RoleHttpState(name, next.Options, next.Version),
            (name, existing, next) => existing.Options.Fingerprint == next.Options.Fingerprint ? existing : new RoleHttpState(name, next.Options, next.Version),
            (Options: options, Version: Interlocked.Increment(ref _versions)));

    /// <summary>The state a client name (<see cref="RoleHttpState.ClientName"/>) stands for, and whether it is the read-only client.</summary>
    public bool TryFind(string clientName, out RoleHttpState? state, out bool readOnly)
    {
        state = null;
        var parts = clientName.Split('.');
        readOnly = parts.Length == 4 && parts[3] == "read";
        if (parts.Length is < 3 or > 4 || parts[0] != "role" || (parts.Length == 4 && !readOnly)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return false;
        }

        // A name of an older version keeps its own options until the factory lets its handler go.
        if (_byRole.TryGetValue(parts[1], out var current) && current.Version == version)
        {
            state = current;
        }

        return state is not null;
    }
}
