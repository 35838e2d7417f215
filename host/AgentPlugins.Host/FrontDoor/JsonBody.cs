using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>
/// Reads a JSON request body with a size limit and turns every way it can be wrong into a 4xx
/// problem naming the field: not JSON, malformed, a wrong type (<c>$.text</c>), too large.
/// </summary>
internal static class JsonBody
{
    /// <summary>camelCase, strict about unknown fields: a typo is an error, not a silent default.</summary>
    public static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>camelCase and tolerant of fields it does not know (OpenAI clients send many).</summary>
    public static readonly JsonSerializerOptions Lenient = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static async Task<BodyResult<T>> ReadAsync<T>(HttpRequest request, int maxBytes, JsonSerializerOptions options, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return new(null, Problems.BadField("Content-Type", $"The body must be JSON (Content-Type: application/json), not '{request.ContentType ?? "none"}'.", StatusCodes.Status415UnsupportedMediaType));
        }

        var bytes = await ReadBytesAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        if (bytes.Problem is not null)
        {
            return new(null, bytes.Problem);
        }

        var buffer = bytes.Value!;
        if (buffer.Length == 0)
        {
            return new(null, Problems.BadField("body", "The body is empty; send a JSON object."));
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer, options);
            return value is null
                ? new(null, Problems.BadField("body", "The body must be a JSON object, not null."))
                : new(value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path;
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : string.Empty;
            return new(null, Problems.BadField(field, $"{Explain(ex)}{where}"));
        }
    }

    /// <summary>The raw body, at most <paramref name="maxBytes"/>; a larger one is a 413 problem.</summary>
    public static async Task<BodyResult<byte[]>> ReadBytesAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return new(null, TooLarge(request, maxBytes));
        }

        var buffer = new ArrayBufferWriter<byte>(Math.Min(maxBytes, 4096));
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(4096);
                var read = await request.Body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes)
                {
                    return new(null, TooLarge(request, maxBytes));
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new(null, TooLarge(request, maxBytes));
        }

        return new(buffer.WrittenSpan.ToArray(), null);
    }

    private static string Explain(JsonException ex) =>
        ex.InnerException is { } inner and not JsonException ? $"{ex.Message} {inner.Message}" : ex.Message;

    private static IResult TooLarge(HttpRequest request, int maxBytes)
    {
        // The rest of the body is not read: the connection cannot carry another request.
        request.HttpContext.Response.Headers.Connection = "close";
        return Problems.BadField("body", $"The body is larger than http:maxBodyBytes ({maxBytes} bytes).", StatusCodes.Status413PayloadTooLarge);
    }
}

/// <summary>A parsed body, or the problem that answers it.</summary>
internal readonly record struct BodyResult<T>(T? Value, IResult? Problem)
    where T : class;
