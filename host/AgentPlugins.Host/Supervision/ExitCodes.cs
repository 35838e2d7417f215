namespace AgentPlugins.Host.Supervision;

/// <summary>
/// What <c>host run</c> exits with, so a supervisor (systemd, a container runtime, a script) can tell
/// a clean stop from each kind of failure. docs/service.md lists them.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Stopped on request and drained.</summary>
    public const int Stopped = 0;

    /// <summary>Could not start: bad configuration, a data folder another host holds or that cannot be written.</summary>
    public const int StartFailed = 1;

    /// <summary>Bad command line.</summary>
    public const int Usage = 2;

    /// <summary>A role call passed <c>loop:hardLimit</c>; the culprit is in the crash journal and stays quarantined after the restart.</summary>
    public const int RoleStuck = 70;

    /// <summary>A stop could not drain the loop in time (a role call still held it).</summary>
    public const int StopTimedOut = 71;
}
