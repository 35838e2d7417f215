namespace AgentPlugins.Host.Hosting;

/// <summary>One line read from the console: its text, or, for a line over the cap, only how long it was.</summary>
/// <param name="Text">The line without its end, or null when it was too long to keep.</param>
/// <param name="Length">How many characters the line had.</param>
internal sealed record ConsoleLine(string? Text, long Length)
{
    public bool TooLong => Text is null;
}
