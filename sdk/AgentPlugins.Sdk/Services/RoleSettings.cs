using System.Globalization;

namespace AgentPlugins.Sdk;

/// <summary>A role's settings from plugins.json: flat string keys and values.</summary>
public sealed class RoleSettings
{
    private readonly IReadOnlyDictionary<string, string> _values;

    public RoleSettings(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values;
    }

    public static RoleSettings Empty { get; } = new(new Dictionary<string, string>());

    public IEnumerable<string> Keys => _values.Keys;

    public string? this[string key] => _values.TryGetValue(key, out var value) ? value : null;

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
            : throw new FormatException($"Role setting '{key}' = '{raw}' is not a valid {typeof(T).Name}.");
    }
}
