namespace AgentPlugins.Host.Compilation;

/// <summary>What reading a role file found: its content, nothing (gone or empty), or why it cannot be a role.</summary>
internal sealed record RoleFileRead
{
    private RoleFileRead(RoleFileReadKind kind, RoleFile? file, RoleDiagnostic? problem)
    {
        Kind = kind;
        File = file;
        Diagnostic = problem;
    }

    public static RoleFileRead Gone { get; } = new(RoleFileReadKind.Gone, null, null);

    public RoleFileReadKind Kind { get; }

    /// <summary>The content, when <see cref="Kind"/> is <see cref="RoleFileReadKind.Read"/>.</summary>
    public RoleFile? File { get; }

    /// <summary>Why the file is not a role (or a warning for an empty one); one diagnostic, never a flood.</summary>
    public RoleDiagnostic? Diagnostic { get; }

    public static RoleFileRead Read(RoleFile file) => new(RoleFileReadKind.Read, file, null);

    public static RoleFileRead Empty(string path) =>
        new(RoleFileReadKind.Empty, null, RoleDiagnostic.Warning(path, RoleFileCodes.Empty, "The file is empty; it is not a role until it has content (the host keeps serving what it served)."));

    public static RoleFileRead Problem(string path, string message) =>
        new(RoleFileReadKind.Problem, null, RoleDiagnostic.Error(path, RoleFileCodes.Unreadable, message));
}
