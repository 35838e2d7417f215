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

        var body = await ReadPooledAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        if (body.Problem is not null)
        {
            return new(null, body.Problem);
        }

        try
        {
            if (body.Length == 0)
            {
                return new(null, Problems.BadField("body", "The body is empty; send a JSON object."));
            }

            var value = JsonSerializer.Deserialize<T>(body.Buffer.AsSpan(0, body.Length), options);
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
        finally
        {
            body.Return();
        }
    }

    /// <summary>The raw body, at most <paramref name="maxBytes"/>; a larger one is a 413 problem.</summary>
    public static async Task<BodyResult<byte[]>> ReadBytesAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var body = await ReadPooledAsync(request, maxBytes, cancellationToken).ConfigureAwait(false);
        try
        {
            return body.Problem is null ? new(body.Buffer.AsSpan(0, body.Length).ToArray(), null) : new(null, body.Problem);
        }
        finally
        {
            body.Return();
        }
    }

    // Read into a pooled buffer: a request body is parsed once and dropped, and a fresh array per
    // request (grown once past 4 KB) was most of what the request path allocated.
    private static async Task<PooledBody> ReadPooledAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return new(TooLarge(request, maxBytes));
        }

        // One byte more than allowed, so a body over the limit is seen without reading all of it.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes + 1L, Math.Max(request.ContentLength + 1 ?? 4096, 256)));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes + 1L, buffer.Length * 2L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return new(buffer, length);
                }

                length += read;
                if (length > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new(TooLarge(request, maxBytes));
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return new(TooLarge(request, maxBytes));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static string Explain(JsonException ex) =>
        ex.InnerException is { } inner and not JsonException ? $"{ex.Message} {inner.Message}" : ex.Message;

    private static IResult TooLarge(HttpRequest request, int maxBytes)
    {
        // The rest of the body is not read: the connection cannot carry another request.
        request.HttpContext.Response.Headers.Connection = "close";
        return Problems.BadField("body", $"The body is larger than http:maxBodyBytes ({maxBytes} bytes).", StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>A body read into a rented buffer (returned with <see cref="Return"/>), or the problem that answers it.</summary>
    private readonly record struct PooledBody(byte[] Buffer, int Length, IResult? Problem)
    {
        public PooledBody(IResult problem)
            : this([], 0, problem)
        {
        }

        public PooledBody(byte[] buffer, int length)
            : this(buffer, length, null)
        {
        }

        public void Return()
        {
            if (Buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(Buffer);
            }
        }
    }
}

/// <summary>A parsed body, or the problem that answers it.</summary>
internal readonly record struct BodyResult<T>(T? Value, IResult? Problem)
    where T : class;
