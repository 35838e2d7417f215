namespace AgentPlugins.Host.Storage;

/// <summary>
/// What one of the host's SQLite files must hold: <paramref name="ApplicationId"/> is written to
/// <c>PRAGMA application_id</c> so a file that is not ours is refused; <paramref name="Version"/> is
/// written to <c>PRAGMA user_version</c> so a file written by a newer host is refused rather than
/// misread. <paramref name="Create"/> creates the schema idempotently (<c>CREATE ... IF NOT EXISTS</c>);
/// <paramref name="MainTable"/> tells a file written before the id was set (id 0) from a foreign one.
/// </summary>
internal sealed record StoreSchema(string Name, int ApplicationId, int Version, string MainTable, string Create)
{
    /// <summary>"AgPl" in ASCII: the high bytes of every application id the host writes.</summary>
    public const int Family = 0x4167_0000;
}
