using System.Globalization;
using System.Text.Json;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// The router's answer: the role to run (or <see cref="PlanRoute"/>), how sure it is, and values it
/// read from the request. Parsed strictly against <see cref="Schema"/>; every mismatch is named so the
/// router can correct itself.
/// </summary>
internal sealed record RoutingDecision(string Route, double Confidence, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>The route that asks for a plan instead of one role.</summary>
    public const string PlanRoute = "plan";

    /// <summary>The JSON schema the router is shown; <c>{routes}</c> is replaced by the allowed route names.</summary>
    public static string Schema(IEnumerable<string> routes) => $$"""
        {
          "type": "object",
          "required": ["route", "confidence"],
          "additionalProperties": false,
          "properties": {
            "route": { "type": "string", "enum": [{{string.Join(", ", routes.Append(PlanRoute).Select(r => $"\"{r}\""))}}] },
            "confidence": { "type": "number", "minimum": 0, "maximum": 1 },
            "parameters": { "type": "object", "additionalProperties": { "type": ["string", "number", "boolean"] } },
            "reason": { "type": "string" }
          }
        }
        """;

    /// <summary>Reads <paramref name="json"/>; on failure <paramref name="error"/> says what does not match the schema.</summary>
    public static bool TryParse(string json, IReadOnlyCollection<string> routes, out RoutingDecision? decision, out string error)
    {
        decision = null;
        if (!JsonAnswer.TryReadObject(json, out var root, out error))
        {
            return false;
        }

        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is not ("route" or "confidence" or "parameters" or "reason"))
            {
                error = $"Unknown property '{property.Name}'; only route, confidence, parameters and reason are allowed.";
                return false;
            }
        }

        if (!root.TryGetProperty("route", out var route) || route.ValueKind != JsonValueKind.String)
        {
            error = "'route' must be a string.";
            return false;
        }

        var name = route.GetString()!;
        var known = routes.FirstOrDefault(r => string.Equals(r, name, StringComparison.OrdinalIgnoreCase))
            ?? (string.Equals(name, PlanRoute, StringComparison.OrdinalIgnoreCase) ? PlanRoute : null);
        if (known is null)
        {
            error = $"'route' is '{name}', which is not one of: {string.Join(", ", routes.Append(PlanRoute))}.";
            return false;
        }

        if (!root.TryGetProperty("confidence", out var confidence) || confidence.ValueKind != JsonValueKind.Number
            || !confidence.TryGetDouble(out var value) || value is < 0 or > 1)
        {
            error = "'confidence' must be a number from 0 to 1.";
            return false;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("parameters", out var given) && given.ValueKind != JsonValueKind.Null)
        {
            if (given.ValueKind != JsonValueKind.Object)
            {
                error = "'parameters' must be an object of names to values.";
                return false;
            }

            foreach (var parameter in given.EnumerateObject())
            {
                switch (parameter.Value.ValueKind)
                {
                    case JsonValueKind.String:
                        parameters[parameter.Name] = parameter.Value.GetString()!;
                        break;
                    case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                        parameters[parameter.Name] = parameter.Value.GetRawText();
                        break;
                    default:
                        error = $"parameters.{parameter.Name} must be a string, number or boolean.";
                        return false;
                }
            }
        }

        if (root.TryGetProperty("reason", out var reason) && reason.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            error = "'reason' must be a string.";
            return false;
        }

        decision = new RoutingDecision(known, value, parameters);
        return true;
    }

    public override string ToString() =>
        $"{Route} ({Confidence.ToString("0.##", CultureInfo.InvariantCulture)}){(Parameters.Count == 0 ? string.Empty : " " + string.Join(", ", Parameters.Select(p => $"{p.Key}={p.Value}")))}";
}
