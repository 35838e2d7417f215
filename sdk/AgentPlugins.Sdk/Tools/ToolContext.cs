namespace AgentPlugins.Sdk;

/// <summary>
/// What a tool sees of the host when it asks for it: declare a parameter of this type on a
/// <c>[KernelFunction]</c> method and the host fills it on every call (from the model, a
/// <c>/role tool</c> command, a workflow or the HTTP front door). It is never part of the tool's
/// schema, so the model neither sees nor fills it. A tool reads through it (settings, clock, HTTP
/// GETs); changes still go through intents it returns.
/// </summary>
/// <example>
/// <code>
/// [KernelFunction, Description("Current weather in a city")]
/// public async Task&lt;ToolResult&gt; GetWeather([Description("City name")] string city, ToolContext context) =>
///     ToolResult.Ok(await context.Http.GetStringAsync($"current?city={city}", context.Cancellation));
/// </code>
/// </example>
public sealed class ToolContext : RoleContext
{
    // Only the host builds one: a role never needs its own, and a tool signature stays an SDK type.
    internal ToolContext(RoleScope scope)
        : base(scope)
    {
    }
}
