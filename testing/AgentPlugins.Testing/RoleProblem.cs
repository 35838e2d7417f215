namespace AgentPlugins.Testing;

/// <summary>
/// A problem with a role file, as the host reports it: <c>path(line,col): error CODE: message</c>
/// (the C# compiler's format, so an editor or an LLM agent reads it like <c>dotnet build</c>).
/// </summary>
public sealed record RoleProblem(string Path, int Line, int Column, bool IsError, string Code, string Message)
{
    public override string ToString() => $"{Path}({Line},{Column}): {(IsError ? "error" : "warning")} {Code}: {Message}";
}
