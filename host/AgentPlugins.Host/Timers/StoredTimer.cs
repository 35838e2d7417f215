namespace AgentPlugins.Host.Timers;

/// <summary>A timer as the store keeps it: times are Unix milliseconds, UTC.</summary>
/// <param name="Reclaimed">Claimed again from a host whose lease lapsed (a shared store): some of its effects may be carried out already.</param>
internal sealed record StoredTimer(long Id, string Label, string? User, string Channel, string? FollowUp, long DueAtMs, string? Owner = null, string? Payload = null, bool Reclaimed = false)
{
    /// <summary>The id users see and type: <c>t12</c>.</summary>
    public string Name => FormatId(Id);

    public static string FormatId(long id) => "t" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads <c>t12</c> (or <c>12</c>) back; false for anything else.</summary>
    public static bool TryParseId(string text, out long id)
    {
        var digits = text.StartsWith('t') || text.StartsWith('T') ? text[1..] : text;
        return long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id);
    }
}
