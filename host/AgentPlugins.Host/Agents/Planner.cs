using System.Text;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// Asks the planner role (on its tier, normally strong) for a plan: steps, each a role and an
/// instruction, with the steps it depends on. The planner file supplies how to plan; the host adds the
/// roles, the limits and the JSON schema, and reads the answer with <see cref="Plan.TryParse"/>.
/// </summary>
internal sealed class Planner(ModelClients models, RoutingOptions routing)
{
    public async Task<(Plan? Plan, string? Error)> PlanAsync(
        AgentProfile planner,
        IReadOnlyCollection<AgentProfile> roles,
        IReadOnlyList<ConversationTurn> history,
        string request,
        CancellationToken cancellationToken)
    {
        if (!models.TryGet(planner.Config.Llm, planner.Name, out var tier, out var chat, out var missing))
        {
            return (null, missing);
        }

        var names = roles.Select(r => r.Name).Order(StringComparer.Ordinal).ToList();
        var system = new StringBuilder(planner.Instructions ?? "Break the user's request into steps, each done by one role.")
            .AppendLine().AppendLine().AppendLine("The roles and their tools:");
        foreach (var role in roles.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            system.Append("- ").Append(role.Name).Append(": ").Append(role.Config.Description).Append(". Use for: ").Append(role.Config.WhenToUse)
                .Append(". Tools: ").AppendLine(role.Tools.FunctionCount == 0 ? "none" : string.Join(", ", role.Tools.Select(f => f.Name)));
        }

        system.AppendLine().Append("At most ").Append(routing.MaxPlanSteps).AppendLine(" steps. Answer with one JSON object and nothing else, matching this JSON schema:")
            .Append(Plan.Schema(names, routing.MaxPlanSteps));

        var user = new StringBuilder();
        foreach (var turn in history)
        {
            user.Append("Earlier, user: ").AppendLine(turn.Request).Append("Earlier, ").Append(turn.Role).Append(": ").AppendLine(turn.Answer);
        }

        user.Append("The request to plan: ").Append(request);
        var chatHistory = new ChatHistory(system.ToString());
        chatHistory.AddUserMessage(user.ToString());
        var (plan, error) = await ModelCall.AskJsonAsync(
            chat!,
            tier!,
            chatHistory,
            text => Plan.TryParse(text, names, routing.MaxPlanSteps, out var parsed, out var why) ? (parsed, string.Empty) : (null, why),
            cancellationToken).ConfigureAwait(true);
        return (plan, error is null ? null : $"The planner ({planner.Name}, {tier!.Key}) {Router.Lead(error)}");
    }
}
