using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// Runs one request on one role: its pre-processor, then its model tier with exactly its own tools
/// (a kernel built per run from the request's snapshot), then its post-processor. Hooks and tools run
/// on the loop; the model call runs off it.
/// </summary>
internal sealed class RoleRunner(EventLoop loop, ModelClients models, IntentServices services)
{

    /// <summary>Runs <paramref name="instruction"/> on <paramref name="role"/>. Call on the loop.</summary>
    public async Task<RoleAnswer> RunAsync(
        AgentProfile role,
        string instruction,
        IReadOnlyDictionary<string, string> parameters,
        IReadOnlyList<ConversationTurn> history,
        EventContext origin,
        CancellationToken cancellationToken)
    {
        if (!models.TryGet(role.Config.Llm, role.Name, out var tier, out var chat, out var missing))
        {
            return new RoleAnswer(false, missing, []);
        }

        var log = services.LoggerFor(role.Name);
        var context = new HostPromptContext(services.Scope(role.Name, origin, role.Settings, cancellationToken), instruction, parameters);
        var added = string.Empty;
        if (role.PreProcessor is { } pre)
        {
            var (text, error) = await HookAsync(role.Name, "pre-processor", () => pre(context)).ConfigureAwait(true);
            if (error is not null)
            {
                return new RoleAnswer(false, error, []);
            }

            added = text!;
        }

        var tools = services.ToolContextFor(role.Name, origin, role.Settings, cancellationToken);
        var filter = new LoopToolFilter(loop, role.Name, models.Tiers.Options.Routing.MaxToolRounds, tools, log);
        var kernel = new Kernel();
        kernel.Plugins.Add(role.Tools);
        kernel.AutoFunctionInvocationFilters.Add(filter);
        var settings = new PromptExecutionSettings
        {
            FunctionChoiceBehavior = role.Tools.FunctionCount > 0 ? FunctionChoiceBehavior.Auto(options: new() { AllowConcurrentInvocation = false }) : null,
        };

        var (answer, failure) = await ModelCall.AskAsync(chat!, tier!, Prompt(role, added, parameters, history, instruction), settings, kernel, cancellationToken).ConfigureAwait(true);
        if (failure is not null)
        {
            return new RoleAnswer(false, failure, filter.Intents);
        }

        if (filter.StoppedAtLimit)
        {
            var stopped = $"Role '{role.Name}' kept calling tools; stopped after {models.Tiers.Options.Routing.MaxToolRounds} rounds (llm:routing:maxToolRounds).";
            return new RoleAnswer(false, stopped, filter.Intents);
        }

        var reply = answer!.Content ?? string.Empty;
        if (role.PostProcessor is { } post)
        {
            var (text, error) = await HookAsync(role.Name, "post-processor", () => post(reply, context)).ConfigureAwait(true);
            if (error is not null)
            {
                return new RoleAnswer(false, error, filter.Intents);
            }

            reply = text!;
        }

        log.LogInformation("Role {Role} answered on {Tier} ({Model}) after tool calls: {Calls}.", role.Name, tier!.Key, tier.Model, filter.Calls.Count == 0 ? "none" : string.Join(", ", filter.Calls));
        return new RoleAnswer(true, reply, filter.Intents);
    }

    private static ChatHistory Prompt(AgentProfile role, string added, IReadOnlyDictionary<string, string> parameters, IReadOnlyList<ConversationTurn> history, string instruction)
    {
        var system = role.Instructions ?? $"You are the '{role.Name}' role: {role.Config.Description}. Use your tools to do what the user asks, then answer in one or two sentences.";
        if (added.Length > 0)
        {
            system += "\n\n" + added;
        }

        if (parameters.Count > 0)
        {
            system += "\n\nValues read from the request: " + string.Join(", ", parameters.Select(p => $"{p.Key}={p.Value}")) + ".";
        }

        var chat = new ChatHistory(system);
        foreach (var turn in history)
        {
            chat.AddUserMessage(turn.Request);
            chat.AddAssistantMessage(turn.Answer);
        }

        chat.AddUserMessage(instruction);
        return chat;
    }

    // A hook is role code: it runs on the loop (the caller is there), timed by the watchdog, and its failure is named.
    private async Task<(string? Text, string? Error)> HookAsync(string role, string hook, Func<Task<string>> call)
    {
        Task<string> running;
        var guard = loop.Watchdog.Guards?.Invoke(role);
        loop.Watchdog.Enter(role, hook);
        try
        {
            running = call();
        }
        catch (Exception ex)
        {
            running = Task.FromException<string>(ex);
        }
        finally
        {
            loop.Watchdog.Exit();
        }

        try
        {
            // A hook quarantined while it awaits has its continuations dropped: stop waiting for it.
            if (guard is not null && await Task.WhenAny(running, guard.Quarantined).ConfigureAwait(true) != running)
            {
                return (null, $"The {hook} of role '{role}' was stopped: the role is quarantined ({await guard.Quarantined.ConfigureAwait(true)}).");
            }

            return (await running.ConfigureAwait(true) ?? string.Empty, null);
        }
        catch (Exception ex)
        {
            return (null, $"The {hook} of role '{role}' failed: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
