using System.Text.RegularExpressions;
using AgentPlugins.Host.Audit;

namespace AgentPlugins.Host.FrontDoor.Mcp.Dev;

/// <summary>One recorded failure of role code, as <c>recent_errors</c> answers it.</summary>
/// <param name="At">When it happened.</param>
/// <param name="Source">What failed: <c>role/tool</c>, <c>role/handler</c>.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="File">The role file the stack trace points at, when it names one.</param>
/// <param name="Line">The line in <paramref name="File"/>.</param>
/// <param name="User">Who the call ran for.</param>
internal sealed partial record RecentError(DateTimeOffset At, string Source, string Message, string? File, int? Line, string? User)
{
    /// <summary>How many audit records are read to find the errors among them.</summary>
    public const int Scanned = 2000;

    /// <summary>Reads an <c>error</c> audit record (<c>source: message</c>, then the trace).</summary>
    public static RecentError Of(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var firstLine = record.Details.Split('\n', 2)[0].TrimEnd('\r');
        var colon = firstLine.IndexOf(": ", StringComparison.Ordinal);
        var (source, message) = colon > 0 ? (firstLine[..colon], firstLine[(colon + 2)..]) : (record.Producer, firstLine);

        // Roles are emitted with their portable PDB, so the first frame in a role file names it and its line.
        var frame = RoleFrame().Match(record.Details);
        return new RecentError(
            record.At,
            source,
            message,
            frame.Success ? frame.Groups["file"].Value : null,
            frame.Success ? int.Parse(frame.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture) : null,
            record.User);
    }

    [GeneratedRegex(@" in (?<file>[^\r\n]+?\.csx?):line (?<line>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex RoleFrame();
}
