namespace AgentPlugins.Host.Roles;

/// <summary>Diagnostic codes for what can go wrong after a role compiled: AP1xxx (rules checked before it runs are AP0xxx).</summary>
internal static class LoadCodes
{
    public const string NoRole = "AP1001";
    public const string SeveralRoles = "AP1002";
    public const string CannotCreate = "AP1003";
    public const string RegisterThrew = "AP1004";
    public const string InvalidConfig = "AP1005";
    public const string DuplicateName = "AP1006";
    public const string InvalidTools = "AP1007";
    public const string PinningToolSignature = "AP1008";
    public const string Unreadable = Compilation.RoleFileCodes.Unreadable;
    public const string Quarantined = "AP1010";
    public const string HostIntentType = "AP1011";
    public const string Leaked = "AP1013";
    public const string InvalidSettings = "AP1014";
    public const string PluginLoad = "AP1020";
    public const string PluginTogether = "AP1021";
}
