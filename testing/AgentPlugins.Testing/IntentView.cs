using System.Globalization;
using System.Reflection;
using AgentPlugins.Sdk;

namespace AgentPlugins.Testing;

/// <summary>
/// An intent read by name, for intents of the role's own types, which a test cannot name in code
/// (the role file is compiled by the kit, not by the test project): its type name, whether it
/// validates, and its properties.
/// </summary>
public sealed class IntentView
{
    public IntentView(Intent intent)
    {
        ArgumentNullException.ThrowIfNull(intent);
        Intent = intent;
        Properties = intent.GetType()
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .OrderBy(p => p.Name == nameof(Intent.CreatedAt) ? 1 : 0)
            .ToDictionary(p => p.Name, p => p.GetValue(intent), StringComparer.Ordinal);
    }

    public Intent Intent { get; }

    /// <summary>The intent's type name (<c>CreateTimerIntent</c>).</summary>
    public string TypeName => Intent.GetType().Name;

    /// <summary>What the intent's own <c>Validate()</c> says; the host never runs an invalid one.</summary>
    public bool IsValid => Intent.Validate();

    /// <summary>Its public properties by name, <c>CreatedAt</c> last.</summary>
    public IReadOnlyDictionary<string, object?> Properties { get; }

    /// <summary>The property <paramref name="name"/> as <typeparamref name="T"/>; a string asks for its text (<c>ToString()</c>).</summary>
    /// <exception cref="ArgumentException">No such property, or it is not a <typeparamref name="T"/>; the message lists what there is.</exception>
    public T Get<T>(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Properties.TryGetValue(name, out var value))
        {
            throw new ArgumentException($"{TypeName} has no property '{name}'. Its properties: {string.Join(", ", Properties.Keys)}.", nameof(name));
        }

        return value switch
        {
            T typed => typed,
            null when default(T) is null => default!,
            not null when typeof(T) == typeof(string) => (T)(object)Text(value),
            _ => throw new ArgumentException($"{TypeName}.{name} is {(value is null ? "null" : $"a {value.GetType().Name}")}, not a {typeof(T).Name}.", nameof(name)),
        };
    }

    /// <summary><c>CreateTimerIntent(Due=00:05:00, Label=tea, FollowUp=)</c> on one line: without the creation time, a value of several lines by its first (a stack trace).</summary>
    public override string ToString() =>
        $"{TypeName}({string.Join(", ", Properties.Where(p => p.Key != nameof(Intent.CreatedAt)).Select(p => $"{p.Key}={FirstLine(Text(p.Value))}"))})";

    private static string FirstLine(string text) =>
        text.IndexOfAny(['\r', '\n']) is var end and >= 0 ? string.Concat(text.AsSpan(0, end), " ...") : text;

    internal static string Text(object? value) => value switch
    {
        null => string.Empty,
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
