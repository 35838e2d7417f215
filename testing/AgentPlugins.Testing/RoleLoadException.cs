namespace AgentPlugins.Testing;

/// <summary>The role file does not load in the host: its message lists every problem, one per line, with file, line and column.</summary>
public sealed class RoleLoadException : Exception
{
    public RoleLoadException(string path, IReadOnlyList<RoleProblem> problems)
        : base($"{path} does not load:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}")
    {
        Path = path;
        Problems = problems;
    }

    public RoleLoadException()
        : this(string.Empty, [])
    {
    }

    public RoleLoadException(string message)
        : base(message)
    {
        Path = string.Empty;
        Problems = [];
    }

    public RoleLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
        Problems = [];
    }

    /// <summary>The role file.</summary>
    public string Path { get; }

    /// <summary>What stops it (and any warnings), in file order.</summary>
    public IReadOnlyList<RoleProblem> Problems { get; }
}
