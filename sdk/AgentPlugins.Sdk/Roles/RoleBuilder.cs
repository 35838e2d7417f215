namespace AgentPlugins.Sdk;

/// <summary>
/// What a role declares in <see cref="IRole.Register"/>: event handlers, tools, intent handlers and,
/// for requests in plain words, its prompt and optional pre- and post-processing hooks.
/// The host reads it once, after <c>Register</c> returns, and owns the registrations from then on.
/// </summary>
public sealed class RoleBuilder
{
    private readonly List<EventSubscription> _subscriptions = [];
    private readonly List<object> _toolObjects = [];
    private readonly Dictionary<Type, IntentHandlerRegistration> _intentHandlers = [];
    private readonly List<McpToolUse> _mcpTools = [];

    internal IReadOnlyList<EventSubscription> Subscriptions => _subscriptions;

    internal IReadOnlyList<object> ToolObjects => _toolObjects;

    internal IReadOnlyCollection<IntentHandlerRegistration> IntentHandlers => _intentHandlers.Values;

    internal IReadOnlyList<McpToolUse> McpToolUses => _mcpTools;

    internal string? Instructions { get; private set; }

    internal Func<PromptContext, Task<string>>? PreProcessor { get; private set; }

    internal Func<string, PromptContext, Task<string>>? PostProcessor { get; private set; }

    /// <summary>Calls <paramref name="handler"/> for every event of <paramref name="eventType"/> (case-sensitive).</summary>
    /// <remarks>Event handlers are pure: they look at the event and its context and return intents.</remarks>
    public RoleBuilder On(string eventType, Func<BusEvent, EventContext, IEnumerable<Intent>> handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventType);
        ArgumentNullException.ThrowIfNull(handler);
        _subscriptions.Add(new EventSubscription(eventType, handler, HandlerName(handler)));
        return this;
    }

    /// <summary>Exposes the <c>[KernelFunction]</c> methods of <paramref name="tools"/> as the role's tools.</summary>
    public RoleBuilder Tools(object tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        _toolObjects.Add(tools);
        return this;
    }

    /// <summary>
    /// Offers <paramref name="tools"/> of the external MCP server <paramref name="server"/> (plugins.json
    /// <c>mcp:servers</c>) with the role's own tools, under their names on that server; the host calls them.
    /// </summary>
    public RoleBuilder McpTools(string server, params string[] tools)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(server);
        ArgumentNullException.ThrowIfNull(tools);
        if (tools.Length == 0)
        {
            throw new ArgumentException($"Name at least one tool of the MCP server '{server}'.", nameof(tools));
        }

        foreach (var tool in tools)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(tool, nameof(tools));
            _mcpTools.Add(new McpToolUse(server, tool));
        }

        return this;
    }

    /// <summary>Carries out intents of type <typeparamref name="TIntent"/>; the only place for side effects.</summary>
    public RoleBuilder Handle<TIntent>(Func<TIntent, IntentContext, Task> handler)
        where TIntent : Intent
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (!_intentHandlers.TryAdd(typeof(TIntent), new IntentHandlerRegistration(
                typeof(TIntent), (intent, context) => handler((TIntent)intent, context), HandlerName(handler))))
        {
            throw new InvalidOperationException($"A handler for {typeof(TIntent).Name} is already registered.");
        }

        return this;
    }

    /// <summary>
    /// The role's instructions to the language model: who it is and how it answers. The host adds the
    /// conversation so far and the user's request; the role's tools are offered by themselves.
    /// </summary>
    public RoleBuilder Prompt(string instructions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instructions);
        Instructions = Instructions is null ? instructions : throw new InvalidOperationException("The prompt is already set; a role has one.");
        return this;
    }

    /// <summary>
    /// Runs before the model is asked; the text it returns is added to the prompt for this request
    /// (e.g. the weather data a weather role fetched). Return an empty string to add nothing.
    /// </summary>
    public RoleBuilder PreProcess(Func<PromptContext, Task<string>> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        PreProcessor = PreProcessor is null ? hook : throw new InvalidOperationException("A pre-processor is already registered; a role has one.");
        return this;
    }

    /// <summary>Runs on the model's answer before the user gets it, and returns the answer to send (e.g. reshaped for speech).</summary>
    public RoleBuilder PostProcess(Func<string, PromptContext, Task<string>> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        PostProcessor = PostProcessor is null ? hook : throw new InvalidOperationException("A post-processor is already registered; a role has one.");
        return this;
    }

    private static string HandlerName(Delegate handler) => handler.Method.Name;
}

internal sealed record EventSubscription(
    string EventType,
    Func<BusEvent, EventContext, IEnumerable<Intent>> Handler,
    string HandlerName);

internal sealed record IntentHandlerRegistration(
    Type IntentType,
    Func<Intent, IntentContext, Task> Handler,
    string HandlerName);

internal sealed record McpToolUse(string Server, string Tool);
