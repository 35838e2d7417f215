using System.Text.Json;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// The planner's answer: steps in the order they run, each after the steps it depends on. Parsed
/// strictly against <see cref="Schema"/>; a plan with too many steps, an unknown role, a dependency on
/// a missing step or a cycle is refused with the reason.
/// </summary>
internal sealed record Plan(IReadOnlyList<PlanStep> Steps)
{
    public static string Schema(IEnumerable<string> roles, int maxSteps) => $$"""
        {
          "type": "object",
          "required": ["steps"],
          "additionalProperties": false,
          "properties": {
            "steps": {
              "type": "array", "minItems": 1, "maxItems": {{maxSteps}},
              "items": {
                "type": "object",
                "required": ["id", "role", "instruction"],
                "additionalProperties": false,
                "properties": {
                  "id": { "type": "string" },
                  "role": { "type": "string", "enum": [{{string.Join(", ", roles.Select(r => $"\"{r}\""))}}] },
                  "instruction": { "type": "string" },
                  "dependsOn": { "type": "array", "items": { "type": "string" } }
                }
              }
            }
          }
        }
        """;

    public static bool TryParse(string json, IReadOnlyCollection<string> roles, int maxSteps, out Plan? plan, out string error)
    {
        plan = null;
        if (!JsonAnswer.TryReadObject(json, out var root, out error))
        {
            return false;
        }

        if (Unknown(root, "steps") is { } extra)
        {
            error = $"Unknown property '{extra}'; a plan has only 'steps'.";
            return false;
        }

        if (!root.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Array || steps.GetArrayLength() == 0)
        {
            error = "'steps' must be a non-empty array.";
            return false;
        }

        if (steps.GetArrayLength() > maxSteps)
        {
            error = $"The plan has {steps.GetArrayLength()} steps; at most {maxSteps} are allowed (llm:routing:maxPlanSteps).";
            return false;
        }

        var parsed = new List<PlanStep>();
        foreach (var step in steps.EnumerateArray())
        {
            if (!TryParseStep(step, parsed.Count, roles, out var next, out error))
            {
                return false;
            }

            if (parsed.Any(p => p.Id == next!.Id))
            {
                error = $"Two steps have the id '{next!.Id}'.";
                return false;
            }

            parsed.Add(next!);
        }

        return TryOrder(parsed, out plan, out error);
    }

    private static bool TryParseStep(JsonElement step, int index, IReadOnlyCollection<string> roles, out PlanStep? parsed, out string error)
    {
        parsed = null;
        var where = $"steps[{index}]";
        if (step.ValueKind != JsonValueKind.Object)
        {
            error = $"{where} must be an object.";
            return false;
        }

        if (Unknown(step, "id", "role", "instruction", "dependsOn") is { } extra)
        {
            error = $"{where} has an unknown property '{extra}'.";
            return false;
        }

        if (!TryString(step, "id", out var id) || !TryString(step, "role", out var role) || !TryString(step, "instruction", out var instruction))
        {
            error = $"{where} needs non-empty string 'id', 'role' and 'instruction'.";
            return false;
        }

        var known = roles.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
        if (known is null)
        {
            error = $"{where}.role is '{role}', which is not one of: {string.Join(", ", roles)}.";
            return false;
        }

        var dependsOn = new List<string>();
        if (step.TryGetProperty("dependsOn", out var dependencies) && dependencies.ValueKind != JsonValueKind.Null)
        {
            if (dependencies.ValueKind != JsonValueKind.Array || dependencies.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.String))
            {
                error = $"{where}.dependsOn must be an array of step ids.";
                return false;
            }

            dependsOn.AddRange(dependencies.EnumerateArray().Select(d => d.GetString()!));
        }

        parsed = new PlanStep(id, known, instruction, dependsOn);
        error = string.Empty;
        return true;
    }

    private static string? Unknown(JsonElement element, params string[] allowed) =>
        element.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => !allowed.Contains(name, StringComparer.Ordinal));

    private static bool TryString(JsonElement element, string name, out string value)
    {
        value = element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String ? property.GetString()!.Trim() : string.Empty;
        return value.Length > 0;
    }

    // Keeps the planner's order where it can; a step moves only behind a step it depends on.
    private static bool TryOrder(List<PlanStep> steps, out Plan? plan, out string error)
    {
        plan = null;
        foreach (var step in steps)
        {
            var missing = step.DependsOn.FirstOrDefault(d => steps.All(s => s.Id != d));
            if (missing is not null)
            {
                error = $"Step '{step.Id}' depends on '{missing}', which is not a step.";
                return false;
            }
        }

        var ordered = new List<PlanStep>();
        var pending = new List<PlanStep>(steps);
        while (pending.Count > 0)
        {
            var ready = pending.FirstOrDefault(s => s.DependsOn.All(d => ordered.Any(o => o.Id == d)));
            if (ready is null)
            {
                error = $"The steps {string.Join(", ", pending.Select(s => $"'{s.Id}'"))} depend on each other in a cycle.";
                return false;
            }

            ordered.Add(ready);
            pending.Remove(ready);
        }

        plan = new Plan(ordered);
        error = string.Empty;
        return true;
    }
}
