namespace AgentPlugins.Sdk;

/// <summary>Something went wrong in <paramref name="Source"/> (a role and handler, or a host part).</summary>
public sealed record ErrorIntent(string Source, string Message, string? Details = null) : Intent
{
    public override bool Validate() => !string.IsNullOrWhiteSpace(Source) && !string.IsNullOrWhiteSpace(Message);
}
