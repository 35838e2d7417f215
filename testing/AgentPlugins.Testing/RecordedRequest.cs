namespace AgentPlugins.Testing;

/// <summary>One request a role sent to a <see cref="ScriptedHttp"/>: method, full address, the Authorization header and the body as text.</summary>
public sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Authorization, string? Body);
