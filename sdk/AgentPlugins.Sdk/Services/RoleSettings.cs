using System.Globalization;

namespace AgentPlugins.Sdk;

/// <summary>
/// A role's settings from plugins.json (<c>roles:settings:NAME</c>): string keys and values, keys
/// case-insensitive as everywhere in .NET configuration; a nested section's keys are joined with
/// <c>:</c> (<c>http:baseAddress</c>). A value read from an environment variable or a file
/// (<c>tokenVariable</c>, <c>tokenFile</c>) is a secret: it is here under its own key (<c>token</c>)
/// and is never shown by <see cref="ToString"/>.
/// </summary>
public sealed class RoleSettings
{
    private const string Hidden = "***";

    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _secrets;

    public RoleSettings(IReadOnlyDictionary<string, string> values)
        : this(values, [])
    {
    }

    /// <param name="values">The settings, by key.</param>
    /// <param name="secrets">The keys whose values must never be shown.</param>
    public RoleSettings(IReadOnlyDictionary<string, string> values, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(secrets);
        _values = new Dictionary<string, string>(values, StringComparer.OrdinalIgnoreCase);
        _secrets = new HashSet<string>(secrets, StringComparer.OrdinalIgnoreCase);
    }

    public static RoleSettings Empty { get; } = new(new Dictionary<string, string>());

    public IEnumerable<string> Keys => _values.Keys;

    /// <summary>The setting, or null when it is not set. Keys are case-insensitive.</summary>
    public string? this[string key] => _values.TryGetValue(key, out var value) ? value : null;

    /// <summary>True for a value read from an environment variable or a file.</summary>
    public bool IsSecret(string key) => _secrets.Contains(key);

    /// <summary>The setting converted to <typeparamref name="T"/>, or <paramref name="fallback"/> when it is not set.</summary>
    /// <exception cref="FormatException">The setting is present but is not a <typeparamref name="T"/>; the message names the key.</exception>
    public T Get<T>(string key, T fallback)
        where T : IParsable<T>
    {
        if (!_values.TryGetValue(key, out var raw))
        {
            return fallback;
        }

        return T.TryParse(raw, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"Role setting '{key}' = '{(IsSecret(key) ? Hidden : raw)}' is not a valid {typeof(T).Name}.");
    }

    /// <summary>The settings as <c>key=value</c> pairs, secrets shown as <c>***</c>.</summary>
    public override string ToString() =>
        string.Join(", ", _values.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => $"{p.Key}={(IsSecret(p.Key) ? Hidden : p.Value)}"));
}
