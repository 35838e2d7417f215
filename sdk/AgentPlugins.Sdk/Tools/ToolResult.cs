namespace AgentPlugins.Sdk;

/// <summary>What a tool gives back: text for the model (or the user), and intents for the host.</summary>
public sealed record ToolResult(bool Success, string Message, IReadOnlyList<Intent> Intents)
{
    public static ToolResult Ok(string message, params Intent[] intents) => new(true, message, intents);

    public static ToolResult Fail(string message) => new(false, message, []);

    /// <summary>The message, which is what the model sees.</summary>
    public override string ToString() => Message;
}
