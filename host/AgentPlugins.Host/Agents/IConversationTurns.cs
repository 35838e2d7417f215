namespace AgentPlugins.Host.Agents;

/// <summary>
/// Where conversation turns are kept: <see cref="SqliteConversationTurns"/> (a file of this host's) or
/// <see cref="PostgresConversationTurns"/> (the database several hosts share, so a follow-up that a
/// load balancer sends to another host still finds what was said). Read and written off the loop.
/// </summary>
internal interface IConversationTurns
{
    /// <summary>The file or database, as named in every error.</summary>
    string Path { get; }

    /// <summary>True when other hosts write too: a host may not keep a conversation in memory between requests.</summary>
    bool Shared { get; }

    /// <summary>Creates or migrates the schema; refuses a damaged, foreign or newer one with a <see cref="Storage.StorageException"/>.</summary>
    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>The conversation's last <paramref name="maxTurns"/> exchanges, oldest first.</summary>
    List<ConversationTurn> Read(string user, string channel, int maxTurns);

    /// <summary>Appends the turns in one transaction, keeping each conversation to its last <paramref name="maxTurns"/>.</summary>
    void Write(IReadOnlyList<(string User, string Channel, ConversationTurn Turn)> turns, int maxTurns);
}
