using System.Text;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// Asks the router role (on its tier, normally weak) where a request goes. The router file supplies
/// how to decide; the host adds the roles to choose from, the conversation so far and the JSON schema
/// the answer must match, and reads the answer with <see cref="RoutingDecision.TryParse"/>.
/// </summary>
internal sealed class Router(ModelClients models)
{
    public async Task<(RoutingDecision? Decision, string? Error)> DecideAsync(
        AgentProfile router,
        IReadOnlyCollection<AgentProfile> roles,
        IReadOnlyList<ConversationTurn> history,
        string request,
        CancellationToken cancellationToken)
    {
        if (!models.TryGet(router.Config.Llm, router.Name, out var tier, out var chat, out var missing))
        {
            return (null, missing);
        }

        var names = roles.Select(r => r.Name).Order(StringComparer.Ordinal).ToList();
        var system = new StringBuilder(router.Instructions ?? "Pick the role that should answer the user's request.")
            .AppendLine().AppendLine().AppendLine("The roles:");
        foreach (var role in roles.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            system.Append("- ").Append(role.Name).Append(": ").Append(role.Config.Description).Append(". Use for: ").Append(role.Config.WhenToUse)
                .AppendLine(role.Config.FastReply ? "." : ". (Only as a step of a plan.)");
        }

        system.AppendLine().AppendLine("Answer with one JSON object and nothing else, matching this JSON schema:").Append(RoutingDecision.Schema(names));

        var user = new StringBuilder();
        if (history.Count > 0)
        {
            user.AppendLine("The conversation so far, oldest first:");
            foreach (var turn in history)
            {
                user.Append("user: ").AppendLine(turn.Request).Append(turn.Role).Append(": ").AppendLine(turn.Answer);
            }

            user.AppendLine();
        }

        user.Append("The request to route: ").Append(request);
        var chatHistory = new ChatHistory(system.ToString());
        chatHistory.AddUserMessage(user.ToString());
        var (decision, error) = await ModelCall.AskJsonAsync(
            chat!,
            tier!,
            chatHistory,
            text => RoutingDecision.TryParse(text, names, out var parsed, out var why) ? (parsed, string.Empty) : (null, why),
            cancellationToken).ConfigureAwait(true);
        return (decision, error is null ? null : $"The router ({router.Name}, {tier!.Key}) {Lead(error)}");
    }

    internal static string Lead(string error) => error.StartsWith("answered", StringComparison.Ordinal) ? error + "." : "could not decide: " + error;
}
