using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Requests;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// Answers requests in plain words. The router role picks a role and says how sure it is; a sure
/// pick of a fast-reply role answers on that role's tier with that role's tools; anything else goes to
/// the planner role, whose steps run in order, each given the results it depends on. The
/// conversation's recent exchanges go to the router and the role, and the new exchange is kept.
/// Everything here runs on the loop except the model calls.
/// </summary>
internal sealed class AgentDispatcher : IAsyncDisposable
{
    private static readonly IReadOnlyDictionary<string, string> NoParameters = new Dictionary<string, string>();

    private readonly RoutingOptions _routing;
    private readonly RoleLifecycle _roles;
    private readonly IntentProcessor _intents;
    private readonly ChannelRegistry _channels;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly Router _router;
    private readonly Planner _planner;
    private readonly RoleRunner _runner;

    /// <exception cref="ConfigurationException">plugins.json <c>llm</c> holds a value the host cannot use.</exception>
    public AgentDispatcher(
        LlmOptions options,
        IConversationTurns conversationTurns,
        RoleLifecycle roles,
        IntentProcessor intents,
        ChannelRegistry channels,
        EventLoop loop,
        TimeProvider clock,
        IntentServices services,
        ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logs);
        _routing = options.Routing;
        _roles = roles;
        _intents = intents;
        _channels = channels;
        _clock = clock;
        _log = logs.CreateLogger<AgentDispatcher>();
        Models = new ModelClients(ModelTiers.Resolve(options, Environment.GetEnvironmentVariable), logs);
        Conversations = new ConversationStore(conversationTurns, options.Conversation.MaxTurns, logs.CreateLogger<ConversationStore>());
        _router = new Router(Models);
        _planner = new Planner(Models, _routing);
        _runner = new RoleRunner(loop, Models, services);
    }

    public ModelClients Models { get; }

    public ConversationStore Conversations { get; }

    public Task OpenAsync(CancellationToken cancellationToken) => Conversations.OpenAsync(cancellationToken);

    /// <summary>Serving roles whose tier plugins.json does not configure, one message each. Call on the loop.</summary>
    public IReadOnlyList<string> MissingTiers() =>
        [.. AgentProfile.Snapshot(_roles).Values
            .Select(role => Models.Tiers.TryGet(role.Config.Llm, role.Name, out _, out var error) ? null : error)
            .OfType<string>()];

    /// <summary>
    /// Answers <paramref name="text"/> for the user and channel of <paramref name="origin"/>: the router
    /// picks the role, unless the request is addressed to <paramref name="role"/>. Call on the loop.
    /// </summary>
    public async Task<AgentOutcome> AnswerAsync(string text, EventContext origin, CancellationToken cancellationToken, string? role = null)
    {
        ArgumentNullException.ThrowIfNull(origin);
        var roles = AgentProfile.Snapshot(_roles);
        var history = await Conversations.RecentAsync(origin.User, origin.Channel, cancellationToken).ConfigureAwait(true);
        if (role is not null)
        {
            return roles.TryGetValue(role, out var addressed)
                ? await RememberAsync(text, origin, await RunRoleAsync(addressed, text, new Dictionary<string, string>(), history, origin, cancellationToken).ConfigureAwait(true)).ConfigureAwait(true)
                : AgentOutcome.Fail("host", $"Role '{role}' does not serve; roles: {string.Join(", ", roles.Keys.Order(StringComparer.Ordinal))}.");
        }

        if (!roles.TryGetValue(_routing.Router, out var router))
        {
            return AgentOutcome.Fail("router", $"No router role is loaded (llm:routing:router is '{_routing.Router}'); put a router role file such as roles/router.cs in the roles folder.");
        }

        var candidates = Routable(roles);
        if (candidates.Count == 0)
        {
            return AgentOutcome.Fail(router.Name, "No roles are loaded to answer requests; put a role file in the roles folder.");
        }

        var (decision, error) = await _router.DecideAsync(router, candidates, history, text, cancellationToken).ConfigureAwait(true);
        if (decision is null)
        {
            return AgentOutcome.Fail(router.Name, error!);
        }

        _log.LogInformation("Routed a request of {User} on {Channel} to {Decision}.", origin.User, origin.Channel, decision);
        var outcome = decision.Route != RoutingDecision.PlanRoute && roles[decision.Route] is { Config.FastReply: true } chosen && decision.Confidence >= _routing.Threshold
            ? await RunRoleAsync(chosen, text, decision.Parameters, history, origin, cancellationToken).ConfigureAwait(true)
            : await PlanAsync(text, roles, history, origin, cancellationToken).ConfigureAwait(true);
        return await RememberAsync(text, origin, outcome).ConfigureAwait(true);
    }

    // A request answered keeps its turn in the conversation, for the next request's history.
    private async Task<AgentOutcome> RememberAsync(string text, EventContext origin, AgentOutcome outcome)
    {
        if (outcome.Reply.Success)
        {
            await Conversations.AppendAsync(origin.User, origin.Channel, new ConversationTurn(_clock.GetUtcNow(), outcome.Producer, text, outcome.Reply.Text)).ConfigureAwait(true);
        }

        return outcome;
    }

    /// <summary>
    /// The route of <see cref="WorkflowIntent"/> when a model is configured: one level deeper than the
    /// request that submitted it, refused past <c>llm:routing:maxDepth</c>; a <see cref="WorkflowIntent.Plan"/>
    /// goes straight to the planner, anything else runs like a request.
    /// </summary>
    public async Task RunWorkflowAsync(WorkflowIntent intent, IntentOrigin origin, Func<WorkflowIntent, IntentOrigin, Task> runAsRequest)
    {
        ArgumentNullException.ThrowIfNull(intent);
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(runAsRequest);

        // Read before the first await: this is the depth of the request whose intents are being submitted.
        var depth = RequestDepth.Current + 1;
        RequestDepth.Set(depth);
        var context = origin.Context with { Time = _clock.GetUtcNow(), OriginalPrompt = intent.OriginalInstruction };
        if (depth > _routing.MaxDepth)
        {
            var stopped = $"Stopped '{intent.OriginalInstruction}': requests started by requests are nested {depth} deep, past llm:routing:maxDepth ({_routing.MaxDepth}).";
            await _channels.NotifyAsync(new NotificationIntent(stopped, context.Channel, context.User, intent.Priority)).ConfigureAwait(true);
            throw new InvalidOperationException(stopped);
        }

        if (intent.Type != WorkflowIntent.Plan)
        {
            await runAsRequest(intent, origin).ConfigureAwait(true);
            return;
        }

        var roles = AgentProfile.Snapshot(_roles);
        var history = await Conversations.RecentAsync(context.User, context.Channel, CancellationToken.None).ConfigureAwait(true);
        var outcome = await PlanAsync(intent.OriginalInstruction, roles, history, context, CancellationToken.None).ConfigureAwait(true);
        await _channels.NotifyAsync(new NotificationIntent(outcome.Reply.Text, context.Channel, context.User, intent.Priority)).ConfigureAwait(true);
        Submit(outcome.Intents, new IntentOrigin(outcome.Producer, context));
    }

    public async ValueTask DisposeAsync()
    {
        await Conversations.DisposeAsync().ConfigureAwait(false);
        Models.Dispose();
    }

    private async Task<AgentOutcome> RunRoleAsync(
        AgentProfile role,
        string text,
        IReadOnlyDictionary<string, string> parameters,
        IReadOnlyList<ConversationTurn> history,
        EventContext origin,
        CancellationToken cancellationToken)
    {
        var answer = await _runner.RunAsync(role, text, parameters, history, origin, cancellationToken).ConfigureAwait(true);
        return answer.Success
            ? new AgentOutcome(new Reply(true, answer.Text), role.Name, answer.Intents)
            : AgentOutcome.Fail(role.Name, answer.Text, answer.Intents);
    }

    // Each step's intents are carried out as soon as the step is done, so a later step sees its effects.
    private async Task<AgentOutcome> PlanAsync(
        string text,
        Dictionary<string, AgentProfile> roles,
        IReadOnlyList<ConversationTurn> history,
        EventContext origin,
        CancellationToken cancellationToken)
    {
        if (!roles.TryGetValue(_routing.Planner, out var planner))
        {
            return AgentOutcome.Fail("planner", $"This request needs a plan, but no planner role is loaded (llm:routing:planner is '{_routing.Planner}'); put a planner role file such as roles/planner.cs in the roles folder.");
        }

        var (plan, error) = await _planner.PlanAsync(planner, Routable(roles), history, text, cancellationToken).ConfigureAwait(true);
        if (plan is null)
        {
            return AgentOutcome.Fail(planner.Name, error!);
        }

        _log.LogInformation("Plan for {User}: {Steps}.", origin.User, string.Join(" -> ", plan.Steps.Select(s => $"{s.Id}:{s.Role}")));
        var results = new Dictionary<string, string>(StringComparer.Ordinal);
        var answers = new List<string>();
        foreach (var step in plan.Steps)
        {
            var instruction = step.DependsOn.Count == 0
                ? step.Instruction
                : $"{step.Instruction}\n\nResults of the steps this one builds on:\n{string.Join("\n", step.DependsOn.Select(d => $"[{d}] {results[d]}"))}";
            var answer = await _runner.RunAsync(roles[step.Role], instruction, NoParameters, [], origin, cancellationToken).ConfigureAwait(true);
            Submit(answer.Intents, new IntentOrigin(step.Role, origin));
            if (!answer.Success)
            {
                var done = answers.Count == 0 ? string.Empty : $" Done before it: {string.Join(" ", answers)}";
                return AgentOutcome.Fail(planner.Name, $"Step '{step.Id}' ({step.Role}) of the plan failed: {answer.Text}{done}");
            }

            results[step.Id] = answer.Text;
            answers.Add(answer.Text);
        }

        return new AgentOutcome(new Reply(true, string.Join("\n", answers)), planner.Name, []);
    }

    private List<AgentProfile> Routable(Dictionary<string, AgentProfile> roles) =>
        [.. roles.Values.Where(r => !string.Equals(r.Name, _routing.Router, StringComparison.OrdinalIgnoreCase) && !string.Equals(r.Name, _routing.Planner, StringComparison.OrdinalIgnoreCase))];

    private void Submit(IReadOnlyList<Intent> intents, IntentOrigin origin)
    {
        foreach (var intent in intents)
        {
            _intents.Submit(intent, origin);
        }
    }
}
