// The smarthome role: lights and switches through Home Assistant's REST API. Tools read
// (GET /api/states) so the model knows what exists and what it is doing; switching is an intent,
// carried out by its handler (POST /api/services/<domain>/<service>). Home Assistant's address is in
// plugins.json (roles:settings:smarthome:http:baseAddress); its long-lived access token comes from an
// environment variable named by roles:settings:smarthome:tokenVariable, read when the role loads.
using System.ComponentModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

// ── 1. Intents this role owns: one per action, each checks its own values ────────────────────

/// <summary>Call a Home Assistant service on one entity: <c>light.turn_on</c> on <c>light.kitchen</c>.</summary>
public sealed record SwitchIntent(string EntityId, string Service) : Intent
{
    public override bool Validate() =>
        SmartHomeRole.DomainOf(EntityId) is not null && Service is "turn_on" or "turn_off" or "toggle";
}

public sealed class SmartHomeRole : IRole
{
    // ── 2. Metadata: what the role is and when the router picks it ───────────────────────────

    public RoleConfig Config { get; } = new(
        Name: "smarthome",
        Version: "1.0.0",
        Description: "Lights, switches and fans in Home Assistant: list them, read their state, turn them on or off",
        WhenToUse: "The user asks to turn a light, switch or fan on or off, or what is on at home",
        Llm: LlmTier.Weak,
        FastReply: true);

    // The domains this role switches; anything else in Home Assistant is left alone.
    private static readonly IReadOnlyList<string> Domains = ["light", "switch", "fan", "input_boolean"];

    // ── 3. Registration: everything below, in this order ─────────────────────────────────────

    public void Register(RoleBuilder role)
    {
        role.Tools(this);
        role.Handle<SwitchIntent>(ProcessSwitch);
    }

    // ── 5. Tools: what the model (or a /smarthome command) can call; they return intents ─────

    [KernelFunction("list_devices"), Description("List the lights, switches and fans with their state")]
    public async Task<ToolResult> ListDevices(ToolContext context)
    {
        if (NotSetUp(context) is { } missing)
        {
            return ToolResult.Fail(missing);
        }

        using var request = Request(HttpMethod.Get, "api/states", context);
        using var response = await context.Http.SendAsync(request, context.Cancellation);
        if (!response.IsSuccessStatusCode)
        {
            return ToolResult.Fail(Refusal(response));
        }

        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(context.Cancellation), cancellationToken: context.Cancellation);
        var devices = json.RootElement.EnumerateArray()
            .Select(e => (Id: e.GetProperty("entity_id").GetString() ?? string.Empty, State: e.GetProperty("state").GetString()))
            .Where(e => DomainOf(e.Id) is not null)
            .OrderBy(e => e.Id, StringComparer.Ordinal)
            .Select(e => $"{e.Id}: {e.State}")
            .ToList();
        return ToolResult.Ok(devices.Count == 0 ? "Home Assistant has no lights, switches or fans." : string.Join("; ", devices));
    }

    [KernelFunction("turn_on"), Description("Turn a light, switch or fan on")]
    public Task<ToolResult> TurnOn([Description("The entity id, e.g. light.kitchen")] string entityId, ToolContext context) =>
        SwitchAsync(entityId, "turn_on", context);

    [KernelFunction("turn_off"), Description("Turn a light, switch or fan off")]
    public Task<ToolResult> TurnOff([Description("The entity id, e.g. light.kitchen")] string entityId, ToolContext context) =>
        SwitchAsync(entityId, "turn_off", context);

    // ── 6. Helpers: private static functions ─────────────────────────────────────────────────

    /// <summary>The domain of an entity id this role may switch (<c>light</c> of <c>light.kitchen</c>), or null.</summary>
    public static string? DomainOf(string entityId)
    {
        var dot = entityId.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && dot < entityId.Length - 1 && Domains.Contains(entityId[..dot]) ? entityId[..dot] : null;
    }

    // A tool checks the entity exists (a read), so an unknown one is refused before anything is switched.
    private static async Task<ToolResult> SwitchAsync(string entityId, string service, ToolContext context)
    {
        var entity = entityId.Trim().ToLowerInvariant();
        if (DomainOf(entity) is null)
        {
            return ToolResult.Fail($"'{entityId}' is not a light, switch or fan; an entity id looks like light.kitchen ({string.Join(", ", Domains)}).");
        }

        if (NotSetUp(context) is { } missing)
        {
            return ToolResult.Fail(missing);
        }

        using var request = Request(HttpMethod.Get, $"api/states/{entity}", context);
        using var response = await context.Http.SendAsync(request, context.Cancellation);
        if (!response.IsSuccessStatusCode)
        {
            return ToolResult.Fail(Refusal(response, entity));
        }

        var verb = service == "turn_on" ? "on" : "off";
        return ToolResult.Ok($"Turning {entity} {verb}.", new SwitchIntent(entity, service));
    }

    private static string? NotSetUp(RoleContext context) => string.IsNullOrEmpty(context.Settings["token"])
        ? "Home Assistant is not set up: put \"tokenVariable\": \"HA_TOKEN\" under roles:settings:smarthome in plugins.json and a long-lived access token in HA_TOKEN."
        : null;

    private static HttpRequestMessage Request(HttpMethod method, string path, RoleContext context)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.Settings["token"]);
        return request;
    }

    private static string Refusal(HttpResponseMessage response, string? entity = null) => response.StatusCode switch
    {
        HttpStatusCode.NotFound when entity is not null => $"Home Assistant has no entity '{entity}'; ask for the list of devices.",
        HttpStatusCode.Unauthorized => "Home Assistant refused the token (HTTP 401): check the variable roles:settings:smarthome:tokenVariable names.",
        var status => $"Home Assistant at {response.RequestMessage?.RequestUri?.Host} answered HTTP {(int)status} ({response.ReasonPhrase}).",
    };

    // ── 7. Intent handlers: the only side effects, through the context's host services ───────

    private static async Task ProcessSwitch(SwitchIntent intent, IntentContext context)
    {
        var body = new JsonObject { ["entity_id"] = intent.EntityId }.ToJsonString();
        using var request = Request(HttpMethod.Post, $"api/services/{DomainOf(intent.EntityId)}/{intent.Service}", context);
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await context.Http.SendAsync(request, context.Cancellation);
        var verb = intent.Service == "turn_on" ? "on" : intent.Service == "turn_off" ? "off" : "toggled";
        await context.NotifyAsync(response.IsSuccessStatusCode
            ? $"{intent.EntityId} is {verb}."
            : $"{intent.EntityId} was not switched: {Refusal(response, intent.EntityId)}");
    }
}
