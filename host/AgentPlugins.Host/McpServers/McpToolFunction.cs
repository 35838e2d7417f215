using System.Text;
using System.Text.Json;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentPlugins.Host.McpServers;

/// <summary>
/// An external MCP server's tool as a Semantic Kernel function in a role's plugin: the server's
/// description and parameter schemas for the model, a call that answers a <see cref="ToolResult"/>
/// (the server's text; its <c>isError</c> as a refusal) with an audit record of the call, so it
/// runs through the same tool paths, watchdog, quarantine guard and error records as the role's own tools.
/// </summary>
internal static class McpToolFunction
{
    public static KernelFunction Create(string server, McpClient client, McpClientTool tool, TimeSpan timeout)
    {
        var schema = tool.JsonSchema;
        var required = schema.TryGetProperty("required", out var names) && names.ValueKind == JsonValueKind.Array
            ? names.EnumerateArray().Select(n => n.GetString()).ToHashSet(StringComparer.Ordinal)
            : [];
        var parameters = new List<KernelParameterMetadata>();
        var types = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
            {
                types[property.Name] = property.Value.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
                parameters.Add(new KernelParameterMetadata(property.Name)
                {
                    Description = property.Value.TryGetProperty("description", out var description) ? description.GetString() : null,
                    IsRequired = required.Contains(property.Name),
                    Schema = KernelJsonSchema.Parse(property.Value.GetRawText()),
                });
            }
        }

        async Task<ToolResult> CallAsync(KernelArguments arguments, CancellationToken cancellationToken)
        {
            var named = arguments.ToDictionary(a => a.Key, a => Argument(a.Value, types.GetValueOrDefault(a.Key)), StringComparer.Ordinal);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            CallToolResult result;
            try
            {
                result = await client.CallToolAsync(tool.Name, named, cancellationToken: limit.Token).ConfigureAwait(true);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The MCP server '{server}' did not answer {tool.Name} within {timeout.TotalSeconds:0.#} s (mcp:servers timeout).");
            }

            var text = new StringBuilder();
            foreach (var block in result.Content)
            {
                text.Append(text.Length > 0 ? "\n" : string.Empty).Append(block is TextContentBlock { Text: var t } ? t : $"[{block.Type}]");
            }

            var audit = new AuditIntent("mcp_call", $"{server}/{tool.Name}: {(result.IsError == true ? "error" : "ok")}");
            return new ToolResult(result.IsError != true, text.ToString(), [audit]);
        }

        return KernelFunctionFactory.CreateFromMethod(
            (Func<KernelArguments, CancellationToken, Task<ToolResult>>)CallAsync,
            new KernelFunctionFromMethodOptions
            {
                // Semantic Kernel allows letters, digits and '_' in names; the server's name is kept for the call.
                FunctionName = new string([.. tool.Name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_')]),
                Description = tool.Description,
                Parameters = parameters,
                ReturnParameter = new KernelReturnParameterMetadata { ParameterType = typeof(ToolResult) },
            });
    }

    // A direct command or a model may give "3" for an integer: send JSON of the schema's type.
    private static object? Argument(object? value, string? type) =>
        value is string text && type is "integer" or "number" or "boolean" or "object" or "array"
            ? TryParse(text) ?? (object)text
            : value;

    private static JsonElement? TryParse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
