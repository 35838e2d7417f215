using AgentPlugins.Host.Compilation;

namespace AgentPlugins.Host.FrontDoor.Dashboard;

/// <summary>One save or step of a role file, as the dashboard's reload timeline shows it.</summary>
/// <param name="Outcome">serving, failed, quarantined, draining, unloaded, leaked, ...</param>
/// <param name="CompileMs">The compile's time, when the step came from a save; null otherwise or from the compile cache.</param>
internal sealed record TimelineEntry(
    DateTimeOffset At,
    string Path,
    string? Role,
    int Generation,
    string Outcome,
    double? CompileMs,
    bool FromCache,
    IReadOnlyList<DiagnosticLine> Diagnostics);

/// <summary>A diagnostic with the offending source line, read when it was reported.</summary>
internal sealed record DiagnosticLine(DiagnosticAnswer Diagnostic, string? SourceLine)
{
    public static DiagnosticLine Of(RoleDiagnostic diagnostic) => new(DiagnosticAnswer.Of(diagnostic), SourceLineOf(diagnostic.Path, diagnostic.Line));

    private static string? SourceLineOf(string path, int line)
    {
        try
        {
            // Role files are capped in size by the reader; a missing file (deleted since) has no line.
            return line < 1 || !File.Exists(path) ? null : File.ReadLines(path).Skip(line - 1).FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>What ran in the last second, and the unload health so far.</summary>
internal sealed record DashboardStats(DateTimeOffset At, double EventsPerSecond, double IntentsPerSecond, long HandlerFailures, long Unloaded, long Leaked, int UnloadsPending);

/// <summary>A role handler's failure or a slow call, with the role file and line when its stack trace names one.</summary>
internal sealed record DashboardError(DateTimeOffset At, string Kind, string Source, string Message, string? File, int? Line);
