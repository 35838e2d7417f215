namespace AgentPlugins.Host.Validation;

/// <summary>
/// Prints diagnostics in the compiler's own format, <c>path(line,col): error CODE: message</c>, one per
/// line, so editors, CI and LLM agents read them as they read <c>dotnet build</c>.
/// </summary>
internal static class TextReport
{
    public static void Write(ValidationResult result, TextWriter output)
    {
        foreach (var diagnostic in result.Diagnostics)
        {
            output.WriteLine(diagnostic.ToString());
        }
    }
}
