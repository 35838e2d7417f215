namespace AgentPlugins.Host.Validation;

/// <summary>
/// A set of framework APIs a rule forbids: whole types (<c>System.Threading.Thread</c>) and single
/// members (<c>System.Threading.Tasks.Task.Run</c>), with exceptions another rule reports instead.
/// </summary>
internal sealed class ApiSet
{
    private readonly HashSet<string> _types;
    private readonly HashSet<(string Type, string Member)> _members;
    private readonly HashSet<(string Type, string Member)> _except;

    public ApiSet(IEnumerable<string> types, IEnumerable<string> members, IEnumerable<string>? except = null)
    {
        _types = new HashSet<string>(types, StringComparer.Ordinal);
        _members = [.. members.Select(Split)];
        _except = [.. (except ?? []).Select(Split)];
    }

    /// <summary>The simple names a use of these APIs shows in source: type names and member names.</summary>
    public IEnumerable<string> Words =>
        _types.Select(SimpleName)
            .Concat(_members.Select(m => m.Member == ".ctor" ? SimpleName(m.Type) : m.Member))
            .Distinct(StringComparer.Ordinal);

    /// <summary>True when <paramref name="use"/> is a member listed by name.</summary>
    public bool ListsMember(ApiUse use) => _members.Contains((use.TypeName, use.MemberName));

    /// <summary>True when <paramref name="use"/> belongs to a forbidden type and is not an exception.</summary>
    public bool ListsType(ApiUse use) => _types.Contains(use.TypeName) && !_except.Contains((use.TypeName, use.MemberName));

    private static string SimpleName(string type) => type[(type.LastIndexOf('.') + 1)..];

    private static (string Type, string Member) Split(string member)
    {
        // Constructors are named ".ctor": "System.Threading.Tasks.Task..ctor".
        var dot = member.EndsWith("..ctor", StringComparison.Ordinal) ? member.Length - ".ctor".Length - 1 : member.LastIndexOf('.');
        return (member[..dot], member[(dot + 1)..]);
    }
}
