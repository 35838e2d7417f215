using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentPlugins.Sdk;

/// <summary>
/// When a timer is due: after a duration (<c>5m</c>), or at the next time of day (<c>07:30</c>, <c>7am</c>).
/// Reading it needs no time zone, so a tool can refuse bad input itself; the host turns a time of
/// day into an instant in the time zone set in plugins.json (<c>timers:timeZone</c>).
/// </summary>
public sealed partial record TimerDue
{
    /// <summary>Shown to whoever wrote something we could not read.</summary>
    public const string AcceptedForms = "use e.g. 90s, 5m, 1h30m, 2 minutes, PT5M, a number of seconds, or a time of day such as 07:30 or 7am";

    private TimerDue(TimeSpan? after, TimeOnly? at)
    {
        After = after;
        At = at;
    }

    /// <summary>The duration from now, for a timer; null for an alarm.</summary>
    public TimeSpan? After { get; }

    /// <summary>The time of day, for an alarm (the next time the host's clock shows it); null for a timer.</summary>
    public TimeOnly? At { get; }

    /// <summary>Due <paramref name="duration"/> from now.</summary>
    public static TimerDue In(TimeSpan duration) =>
        duration > TimeSpan.Zero
            ? new TimerDue(duration, null)
            : throw new ArgumentOutOfRangeException(nameof(duration), duration, "A timer's duration must be positive.");

    /// <summary>Due the next time the host's clock shows <paramref name="time"/>.</summary>
    public static TimerDue AtTimeOfDay(TimeOnly time) => new(null, time);

    /// <summary>
    /// Reads a duration (<c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>2 minutes</c>, <c>PT5M</c>, <c>45</c>, <c>in 5m</c>)
    /// or a time of day (<c>07:30</c>, <c>19:05:30</c>, <c>7am</c>, <c>7:30 pm</c>, <c>at 7am</c>). On failure
    /// <paramref name="error"/> says why and shows an accepted form; it never throws.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out TimerDue? due, out string error)
    {
        due = null;
        var input = text?.Trim() ?? string.Empty;
        if (input.Length == 0)
        {
            error = $"No duration or time given; {AcceptedForms}.";
            return false;
        }

        var clock = TimeOfDay().Match(input);
        if (clock.Success)
        {
            return TryReadTimeOfDay(input, clock, out due, out error);
        }

        if (input.StartsWith("at ", StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{input}' is not a time of day; use e.g. 07:30, 19:05 or 7am.";
            return false;
        }

        var duration = input.StartsWith("in ", StringComparison.OrdinalIgnoreCase) ? input[3..] : input;
        if (!Durations.TryParse(duration, out var length, out var durationError))
        {
            // Durations' message shows duration forms only; a timer also takes a time of day.
            error = durationError.EndsWith(Durations.AcceptedForms + ".", StringComparison.Ordinal)
                ? durationError[..^(Durations.AcceptedForms.Length + 1)] + AcceptedForms + "."
                : durationError;
            return false;
        }

        due = new TimerDue(length, null);
        error = string.Empty;
        return true;
    }

    /// <summary><c>5m</c>-style text for a duration (<c>00:05:00</c>), or the time of day (<c>07:30</c>).</summary>
    public override string ToString() => After is { } after
        ? after.ToString("c", CultureInfo.InvariantCulture)
        : At!.Value.ToString(At.Value.Second == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture);

    private static bool TryReadTimeOfDay(string input, Match clock, [NotNullWhen(true)] out TimerDue? due, out string error)
    {
        due = null;
        var hour = int.Parse(clock.Groups["h"].Value, CultureInfo.InvariantCulture);
        var minute = clock.Groups["m"].Success ? int.Parse(clock.Groups["m"].Value, CultureInfo.InvariantCulture) : 0;
        var second = clock.Groups["s"].Success ? int.Parse(clock.Groups["s"].Value, CultureInfo.InvariantCulture) : 0;
        var half = clock.Groups["half"].Value.Replace(".", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        if (half.Length > 0)
        {
            if (hour is < 1 or > 12)
            {
                error = $"'{input}' is not a time of day: with am/pm the hour is 1 to 12; use e.g. 7am or 7:30pm.";
                return false;
            }

            hour = (hour % 12) + (half == "pm" ? 12 : 0);
        }

        if (hour > 23 || minute > 59 || second > 59)
        {
            error = $"'{input}' is not a time of day; use e.g. 07:30, 19:05 or 7am.";
            return false;
        }

        due = new TimerDue(null, new TimeOnly(hour, minute, second));
        error = string.Empty;
        return true;
    }

    // A time of day has a colon or am/pm; a bare number stays a number of seconds.
    [GeneratedRegex(@"^(at\s+)?(?<h>\d{1,2})((:(?<m>\d{2})(:(?<s>\d{2}))?\s*(?<half>[ap]\.?m\.?)?)|(\s*(?<half>[ap]\.?m\.?)))$", RegexOptions.IgnoreCase)]
    private static partial Regex TimeOfDay();
}
