using System.Text;
using AgentPlugins.Host.Agents;
using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Requests;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Workflows;

/// <summary>
/// Runs requests on the loop. This first form runs direct tool commands
/// (<c>/timer set_timer 5m tea</c>) through Semantic Kernel's own invocation and argument binding,
/// sends the tool's message back to the requester, then processes the tool's intents. Free text goes
/// to the <see cref="AgentDispatcher"/> when plugins.json configures a model, and otherwise gets a clear
/// answer that no language model is configured.
/// </summary>
internal sealed class WorkflowEngine
{
    public const string NoModelMessage =
        "No language model is configured, so free text cannot be understood yet. Call a tool directly, e.g. /timer set_timer 5m tea, or type /help for the list of tools.";

    private readonly RoleLifecycle _roles;
    private readonly IntentProcessor _intents;
    private readonly ChannelRegistry _channels;
    private readonly EventLoop _loop;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly Kernel _kernel = new();
    private readonly AgentDispatcher? _agents;
    private readonly IntentServices _services;

    public WorkflowEngine(RoleLifecycle roles, IntentProcessor intents, ChannelRegistry channels, EventLoop loop, TimeProvider clock, IntentServices services, ILogger<WorkflowEngine> log, AgentDispatcher? agents = null)
    {
        _services = services;
        _agents = agents;
        _roles = roles;
        _intents = intents;
        _channels = channels;
        _loop = loop;
        _clock = clock;
        _log = log;
    }

    /// <summary>Posts <paramref name="request"/> to the loop from any thread, runs it there, and completes with its reply.</summary>
    public Task<Reply> SubmitAsync(Request request, Func<Reply, Task> respond, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(() => HandleAsync(request, respond, cancellationToken), cancellationToken);

    /// <summary>
    /// Runs <paramref name="request"/> on the calling thread as the loop when the loop is idle, or posts it
    /// there, and completes once it ran up to its first wait or is queued, not when it has ended: for callers
    /// that learn the outcome through <paramref name="respond"/> (the HTTP API), so no thread waits for the
    /// run's end. A failure of the run goes to <paramref name="failed"/>, on the loop.
    /// </summary>
    public ValueTask PostAsync(Request request, Func<Reply, Task> respond, Action<Exception> failed, CancellationToken cancellationToken = default) =>
        _loop.RunOrPostAsync(new CallbackWork(_ => Run(request, respond, failed, cancellationToken), null), cancellationToken);

    /// <summary>Runs <paramref name="request"/> on the loop and answers through <paramref name="respond"/>, before its intents are processed.</summary>
    public async Task<Reply> HandleAsync(Request request, Func<Reply, Task> respond, CancellationToken cancellationToken = default)
    {
        var context = new EventContext(request.Channel, request.User, _clock.GetUtcNow(), $"channel:{request.Channel}", request.Text);
        var (reply, producer, intents) = await RunAsync(Addressed(request), context, request.Role, cancellationToken).ConfigureAwait(true);
        return await FinishAsync(reply, producer, intents, context, respond).ConfigureAwait(true);
    }

    /// <summary>
    /// Posts one tool call with arguments already named (an MCP client's <c>tools/call</c>) to the loop and runs
    /// it there as a direct command runs: the same lookup, invocation, watchdog and quarantine guard; the reply
    /// goes to <paramref name="respond"/>, then the tool's intents are carried out for <paramref name="channel"/>'s user.
    /// </summary>
    public Task<Reply> CallAsync(string role, string tool, IReadOnlyDictionary<string, object?> arguments, string channel, string user, Func<Reply, Task> respond, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(
            async () =>
            {
                var context = new EventContext(channel, user, _clock.GetUtcNow(), $"channel:{channel}", $"/{role} {tool}");
                var (reply, producer, intents) = await CallOnLoopAsync(role, tool, arguments, context, cancellationToken).ConfigureAwait(true);
                return await FinishAsync(reply, producer, intents, context, respond).ConfigureAwait(true);
            },
            cancellationToken);

    private void Run(Request request, Func<Reply, Task> respond, Action<Exception> failed, CancellationToken cancellationToken)
    {
        Task run;
        try
        {
            run = HandleAsync(request, respond, cancellationToken);
        }
        catch (Exception ex)
        {
            failed(ex);
            return;
        }

        if (!run.IsCompleted)
        {
            // Shutdown waits for the run's tail (its intents), as for work the loop awaits.
            _loop.Track(run);
            run.ContinueWith(done => failed(done.Exception!.GetBaseException()), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else if (run.Exception?.GetBaseException() is { } ex)
        {
            failed(ex);
        }
    }

    private async Task<Reply> FinishAsync(Reply reply, string producer, IReadOnlyList<Intent> intents, EventContext context, Func<Reply, Task> respond)
    {
        await respond(reply).ConfigureAwait(true);
        var origin = new IntentOrigin(producer, context);
        foreach (var intent in intents)
        {
            _intents.Submit(intent, origin);
        }

        return reply;
    }

    private async Task<(Reply Reply, string Producer, IReadOnlyList<Intent> Intents)> CallOnLoopAsync(string role, string tool, IReadOnlyDictionary<string, object?> arguments, EventContext context, CancellationToken cancellationToken)
    {
        if (!_roles.Tools.TryGetValue(role, out var plugin) || _roles.GuardOf(role) is null)
        {
            return (new Reply(false, $"Role '{role}' does not serve now (it was retired, failed to load or is quarantined). Roles: {Names(_roles.Tools.Keys)}."), "host", []);
        }

        var function = ToolCall.Find(plugin, tool);
        if (function is null)
        {
            return (new Reply(false, $"Role '{plugin.Name}' has no tool '{tool}'. Its tools: {Names(plugin.Select(f => ToolNames.Of(f)))}."), plugin.Name, []);
        }

        var bound = new KernelArguments();
        foreach (var (name, value) in arguments)
        {
            var parameter = ToolCall.ParameterNamed(function.Metadata.Parameters, name);
            if (parameter is null)
            {
                return (new Reply(false, $"{ToolNames.Of(function)} has no parameter '{name}'. Usage: {Usage(plugin.Name, function)}"), plugin.Name, []);
            }

            bound[parameter.Name] = value;
        }

        var missing = function.Metadata.Parameters.Where(p => p.IsRequired && !bound.ContainsName(p.Name)).Select(p => $"'{p.Name}'").ToList();
        if (missing.Count > 0)
        {
            return (new Reply(false, $"Missing argument {string.Join(", ", missing)}. Usage: {Usage(plugin.Name, function)}"), plugin.Name, []);
        }

        return await InvokeAsync(plugin.Name, function, bound, context, cancellationToken).ConfigureAwait(true);
    }

    /// <summary>
    /// The host's route for <see cref="WorkflowIntent"/>: the agents run it when a model is configured,
    /// this engine otherwise.
    /// </summary>
    public void RouteWorkflows()
    {
        _intents.RouteHost(typeof(WorkflowIntent), new IntentRoute("workflows", "run", (intent, origin) => _agents is null
            ? RunIntentAsync((WorkflowIntent)intent, origin)
            : _agents.RunWorkflowAsync((WorkflowIntent)intent, origin, RunIntentAsync)));
    }

    /// <summary>The route of <see cref="WorkflowIntent"/> without a model: runs its instruction for the user it came from, replying by notification.</summary>
    public Task RunIntentAsync(WorkflowIntent intent, IntentOrigin origin)
    {
        var request = new Request(intent.OriginalInstruction, origin.Context.Channel, origin.Context.User);
        return HandleAsync(request, reply => _channels.NotifyAsync(new NotificationIntent(reply.Text, request.Channel, request.User, intent.Priority)));
    }

    // A request addressed to a role whose first word is one of its tools is that tool's command;
    // anything else addressed to it stays words, for its agent (or, without a model, its command).
    private string Addressed(Request request)
    {
        var text = request.Text.Trim();
        if (request.Role is not { } role || text.StartsWith('/'))
        {
            return text;
        }

        var first = text.Split(' ', 2)[0];
        var isTool = _roles.Tools.TryGetValue(role, out var plugin) && plugin.Any(f => string.Equals(f.Name, first, StringComparison.OrdinalIgnoreCase));
        return isTool || _agents is null ? $"/{role} {text}" : text;
    }

    private async Task<(Reply Reply, string Producer, IReadOnlyList<Intent> Intents)> RunAsync(string text, EventContext context, string? role, CancellationToken cancellationToken)
    {
        if (text.Length == 0)
        {
            return (new Reply(false, "Empty request. Type /help for the list of tools."), "host", []);
        }

        if (!text.StartsWith('/'))
        {
            if (_agents is null)
            {
                return (new Reply(false, NoModelMessage), "host", []);
            }

            var outcome = await _agents.AnswerAsync(text, context, cancellationToken, role).ConfigureAwait(true);
            return (outcome.Reply, outcome.Producer, outcome.Intents);
        }

        if (!DirectCommand.TryParse(text, out var command, out var error))
        {
            return (new Reply(false, error), "host", []);
        }

        if (command!.Role is "help" or "?")
        {
            return (new Reply(true, Help()), "host", []);
        }

        if (!_roles.Tools.TryGetValue(command.Role, out var plugin))
        {
            // A role that exists but does not serve says why, rather than "unknown".
            if (_roles.Status.FirstOrDefault(s => string.Equals(s.Name, command.Role, StringComparison.OrdinalIgnoreCase) && s.State == RoleState.Quarantined) is { } quarantined)
            {
                return (new Reply(false, $"Role '{quarantined.Name}' is quarantined: {string.Join(" ", quarantined.LastErrors.Select(e => e.Message))} ({quarantined.Path})"), "host", []);
            }

            return (new Reply(false, $"Unknown role '{command.Role}'. Roles: {Names(_roles.Tools.Keys)}. Type /help for their tools."), "host", []);
        }

        if (command.Tool is null)
        {
            return (new Reply(true, Usage(plugin)), "host", []);
        }

        var function = ToolCall.Find(plugin, command.Tool);
        if (function is null)
        {
            return (new Reply(false, $"Role '{plugin.Name}' has no tool '{command.Tool}'. Its tools: {Names(plugin.Select(f => ToolNames.Of(f)))}."), plugin.Name, []);
        }

        if (!ToolCall.TryBind(function, command.Positional, command.Named, out var arguments, out error))
        {
            return (new Reply(false, $"{error} Usage: {Usage(plugin.Name, function)}"), plugin.Name, []);
        }

        return await InvokeAsync(plugin.Name, function, arguments, context, cancellationToken).ConfigureAwait(true);
    }

    private async Task<(Reply, string, IReadOnlyList<Intent>)> InvokeAsync(string role, KernelFunction function, KernelArguments arguments, EventContext origin, CancellationToken cancellationToken)
    {
        var tool = ToolNames.Of(function);
        var guard = _roles.GuardOf(role);

        // Only a tool that declares a ToolContext parameter gets one built (most do not).
        using var binding = ToolContextParameter.Takes(function)
            ? ToolContextParameter.Bind(function, arguments, _services.ToolContextFor(role, origin, SettingsOf(role), cancellationToken))
            : default;
        try
        {
            Task<FunctionResult> invocation;
            _loop.Watchdog.Enter(role, tool);
            try
            {
                invocation = function.InvokeAsync(_kernel, arguments, cancellationToken);
            }
            finally
            {
                _loop.Watchdog.Exit();
            }

            // A tool quarantined while it awaits has its continuations dropped: answer instead of waiting forever.
            if (!invocation.IsCompleted && guard is not null && await Task.WhenAny(invocation, guard.Quarantined).ConfigureAwait(true) != invocation)
            {
                return (new Reply(false, $"The tool {role}/{tool} was stopped: role {role} is quarantined ({await guard.Quarantined.ConfigureAwait(true)})."), role, []);
            }

            var result = ToolCall.Read((await invocation.ConfigureAwait(true)).GetValue<object>());
            return (new Reply(result.Success, result.Message), role, result.Intents);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var source = $"{role}/{tool}";
            _log.LogError(ex, "Tool {Tool} failed.", source);
            var failed = ToolCall.Failed(source, ex);
            return (new Reply(false, failed.Message), role, failed.Intents);
        }
    }

    private RoleSettings SettingsOf(string role) =>
        _roles.Serving.FirstOrDefault(g => string.Equals(g.Name, role, StringComparison.OrdinalIgnoreCase))?.Settings ?? RoleSettings.Empty;

    private string Help()
    {
        if (_roles.Tools.Count == 0)
        {
            return "No roles are loaded. Put a role file in the roles folder.";
        }

        // A role with a prompt and no tools (router, planner) has nothing to call here: name it apart.
        var plugins = _roles.Tools.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var text = new StringBuilder(plugins.Any(p => p.FunctionCount > 0)
            ? "Roles and their tools (call one with /role tool arguments):"
            : "No role has tools to call with /role tool arguments.");
        foreach (var plugin in plugins.Where(p => p.FunctionCount > 0))
        {
            text.AppendLine().Append(Usage(plugin));
        }

        if (plugins.Where(p => p.FunctionCount == 0).Select(p => p.Name).ToList() is { Count: > 0 } promptOnly)
        {
            text.AppendLine().Append("Prompt-only roles, without tools: ").Append(string.Join(", ", promptOnly)).Append(_agents is null
                ? ". They answer requests in plain words, which needs a language model; none is configured (plugins.json llm)."
                : ". They answer requests in plain words.");
        }

        return text.ToString();
    }

    private static string Usage(KernelPlugin plugin)
    {
        var text = new StringBuilder().Append(plugin.Name).Append(": ").Append(plugin.Description);
        foreach (var function in plugin.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            text.AppendLine().Append("  ").Append(Usage(plugin.Name, function));
            if (!string.IsNullOrEmpty(function.Description))
            {
                text.Append("  - ").Append(function.Description);
            }
        }

        return text.ToString();
    }

    private static string Usage(string role, KernelFunction function) =>
        $"/{role} {ToolNames.Of(function)} {string.Join(' ', function.Metadata.Parameters.Select(p => p.IsRequired ? $"<{p.Name}>" : $"[{p.Name}]"))}".TrimEnd();

    private static string Names(IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "(none loaded)" : string.Join(", ", list);
    }
}
