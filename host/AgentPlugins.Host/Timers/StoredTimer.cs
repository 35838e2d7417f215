namespace AgentPlugins.Host.Timers;

/// <summary>A timer as the store keeps it: times are Unix milliseconds, UTC.</summary>
/// <param name="Reclaimed">Claimed again from a host whose lease lapsed (a shared store): some of its effects may be carried out already.</param>
internal sealed record StoredTimer(long Id, string Label, string? User, string Channel, string? FollowUp, long DueAtMs, string? Owner = null, string? Payload = null, bool Reclaimed = false)
{
    /// <summary>
    /// Reads every row of <paramref name="reader"/> selected as id, label, user, channel, follow-up,
    /// due (Unix ms), owner, payload, and, where a store claims timers across hosts, reclaimed.
    /// </summary>
    public static List<StoredTimer> ReadAll(System.Data.Common.DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var timers = new List<StoredTimer>();
        var reclaimed = reader.FieldCount > 8;
        while (reader.Read())
        {
            timers.Add(new StoredTimer(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetInt64(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reclaimed && reader.GetBoolean(8)));
        }

        return timers;
    }

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
