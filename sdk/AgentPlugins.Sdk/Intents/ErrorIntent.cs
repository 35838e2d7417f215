namespace AgentPlugins.Sdk;

/// <summary>Something went wrong in <paramref name="Source"/> (a role and handler, or a host part).</summary>
/// <param name="Source">Who failed: <c>role/handler</c>, or a host part.</param>
/// <param name="Message">What went wrong, in one line; the host logs and audits it.</param>
/// <param name="Details">The exception with its stack trace (file and line) when the host caught one. The host's error route
/// logs and audits only <paramref name="Message"/>: where it caught the exception, it logged it whole already.</param>
public sealed record ErrorIntent(string Source, string Message, string? Details = null) : Intent
{
    public override bool Validate() => !string.IsNullOrWhiteSpace(Source) && !string.IsNullOrWhiteSpace(Message);
}
