using System.Text.Json;

namespace AgentPlugins.Host.Agents;

/// <summary>Reads the one JSON object a model was asked to answer with.</summary>
internal static class JsonAnswer
{
    /// <summary>
    /// Parses <paramref name="text"/> as a JSON object. A Markdown code fence around it is removed,
    /// because many models add one even when told not to; anything else is an error.
    /// </summary>
    public static bool TryReadObject(string text, out JsonElement root, out string error)
    {
        root = default;
        var json = text.Trim();
        if (json.StartsWith("```", StringComparison.Ordinal))
        {
            var firstLineEnd = json.IndexOf('\n', StringComparison.Ordinal);
            var closing = json.LastIndexOf("```", StringComparison.Ordinal);
            json = firstLineEnd > 0 && closing > firstLineEnd ? json[(firstLineEnd + 1)..closing].Trim() : json;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = $"The answer is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object.";
                return false;
            }

            root = document.RootElement.Clone();
            error = string.Empty;
            return true;
        }
        catch (JsonException ex)
        {
            error = $"The answer is not valid JSON: {ex.Message}";
            return false;
        }
    }
}
