namespace AgentPlugins.Host.Configuration;

/// <summary>plugins.json <c>channels:slack</c>: the Events API endpoint and replies through <c>chat.postMessage</c>.</summary>
internal sealed record SlackOptions
{
    public bool Enabled { get; init; }

    /// <summary>The environment variable holding the app's signing secret (verifies <c>X-Slack-Signature</c>).</summary>
    public string SigningSecretVariable { get; init; } = "SLACK_SIGNING_SECRET";

    /// <summary>The environment variable holding the bot token (<c>xoxb-…</c>) replies are posted with.</summary>
    public string BotTokenVariable { get; init; } = "SLACK_BOT_TOKEN";

    /// <summary>Slack's Web API base address; tests point it at a local fake.</summary>
    public string ApiBase { get; init; } = "https://slack.com/api/";
}
