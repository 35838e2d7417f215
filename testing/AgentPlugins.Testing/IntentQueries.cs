using AgentPlugins.Sdk;

namespace AgentPlugins.Testing;

/// <summary>Finding intents of the role's own types by name, and reading them.</summary>
public static class IntentQueries
{
    /// <summary>The intents whose type is named <paramref name="typeName"/> (<c>CreateTimerIntent</c>), in order.</summary>
    public static IReadOnlyList<IntentView> Named(this IEnumerable<Intent> intents, string typeName)
    {
        ArgumentNullException.ThrowIfNull(intents);
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        return [.. intents.Where(i => i.GetType().Name == typeName).Select(i => new IntentView(i))];
    }

    /// <summary>The one intent named <paramref name="typeName"/>.</summary>
    /// <exception cref="InvalidOperationException">There is none, or more than one; the message lists the intents there are.</exception>
    public static IntentView SingleNamed(this IEnumerable<Intent> intents, string typeName)
    {
        var all = intents?.ToList() ?? throw new ArgumentNullException(nameof(intents));
        var found = all.Named(typeName);
        return found.Count == 1
            ? found[0]
            : throw new InvalidOperationException($"Expected one {typeName}, found {found.Count}. The intents: {(all.Count == 0 ? "none" : string.Join("; ", all.Select(i => new IntentView(i))))}.");
    }

    /// <summary>The one intent of the SDK type <typeparamref name="T"/> (<see cref="NotificationIntent"/>, ...).</summary>
    public static T SingleOf<T>(this IEnumerable<Intent> intents)
        where T : Intent
    {
        var all = intents?.ToList() ?? throw new ArgumentNullException(nameof(intents));
        var found = all.OfType<T>().ToList();
        return found.Count == 1
            ? found[0]
            : throw new InvalidOperationException($"Expected one {typeof(T).Name}, found {found.Count}. The intents: {(all.Count == 0 ? "none" : string.Join("; ", all.Select(i => new IntentView(i))))}.");
    }

    /// <summary>The intents whose <c>Validate()</c> is false: the host would count and report them, never run them.</summary>
    public static IReadOnlyList<IntentView> Invalid(this IEnumerable<Intent> intents)
    {
        ArgumentNullException.ThrowIfNull(intents);
        return [.. intents.Where(i => !i.Validate()).Select(i => new IntentView(i))];
    }

    /// <summary>The intent read by name: <c>intent.View().Get&lt;string&gt;("Label")</c>.</summary>
    public static IntentView View(this Intent intent) => new(intent);
}
