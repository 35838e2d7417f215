using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace AgentPlugins.Sdk;

/// <summary>Reads durations the way people write them: <c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>2 minutes</c>, <c>PT5M</c>, <c>45</c>.</summary>
public static partial class Durations
{
    /// <summary>Shown to whoever wrote a duration we could not read.</summary>
    public const string AcceptedForms = "use e.g. 90s, 5m, 1h30m, 2 minutes, PT5M or a number of seconds";

    /// <summary>Reads <paramref name="text"/>; on failure <paramref name="error"/> says why and shows an accepted form.</summary>
    public static bool TryParse(string? text, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        var input = text?.Trim() ?? string.Empty;
        if (input.Length == 0)
        {
            error = $"No duration given; {AcceptedForms}.";
            return false;
        }

        if (!TryRead(input, out var seconds))
        {
            error = $"'{input}' is not a duration; {AcceptedForms}.";
            return false;
        }

        if (seconds <= 0)
        {
            error = $"'{input}' is not a positive duration; {AcceptedForms}.";
            return false;
        }

        if (seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            error = $"'{input}' is too long a duration.";
            return false;
        }

        duration = TimeSpan.FromSeconds(seconds);
        error = string.Empty;
        return true;
    }

    private static bool TryRead(string input, out double seconds)
    {
        seconds = 0;
        if (double.TryParse(input, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds))
        {
            return double.IsFinite(seconds);
        }

        if (input.StartsWith('P') || input.StartsWith('p'))
        {
            try
            {
                seconds = XmlConvert.ToTimeSpan(input.ToUpperInvariant()).TotalSeconds;
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
            catch (OverflowException)
            {
                seconds = double.PositiveInfinity;
                return true;
            }
        }

        var compact = Compact(input);
        var matches = Part().Matches(compact);
        if (matches.Count == 0 || matches.Sum(m => m.Length) != compact.Length)
        {
            return false;
        }

        foreach (Match part in matches)
        {
            if (!double.TryParse(part.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            seconds += n * UnitSeconds(part.Groups["u"].Value.ToLowerInvariant());
        }

        return double.IsFinite(seconds);
    }

    // Parts are matched on the input without whitespace, so "1 h 30 min" and "1h30m" read alike.
    private static string Compact(string input) => string.Concat(input.Where(c => !char.IsWhiteSpace(c) && c != ','));

    private static double UnitSeconds(string unit) => unit switch
    {
        "d" or "day" or "days" => 86_400,
        "h" or "hr" or "hrs" or "hour" or "hours" => 3_600,
        "m" or "min" or "mins" or "minute" or "minutes" => 60,
        _ => 1,
    };

    [GeneratedRegex(@"(?<n>\d+(\.\d+)?)(?<u>days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?=\d|$)", RegexOptions.IgnoreCase)]
    private static partial Regex Part();
}
