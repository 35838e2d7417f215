using AgentPlugins.Host.Requests;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Agents;

/// <summary>What a request in plain words produced: the reply, who gave it, and the intents its tools returned.</summary>
internal sealed record AgentOutcome(Reply Reply, string Producer, IReadOnlyList<Intent> Intents)
{
    /// <summary>A failure: the user gets <paramref name="message"/>, the host an <see cref="ErrorIntent"/> to count and audit.</summary>
    public static AgentOutcome Fail(string producer, string message, IReadOnlyList<Intent>? intents = null) =>
        new(new Reply(false, message), producer, [.. intents ?? [], new ErrorIntent($"agents/{producer}", message)]);
}
