using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation;

/// <summary>
/// A check of one role file, run on every load and reload and by <c>host validate</c>. Each rule has
/// one stable code and reports at the exact span of the mistake.
/// </summary>
internal abstract class RoleRule
{
    public abstract DiagnosticDescriptor Descriptor { get; }

    /// <summary>
    /// The words (identifiers, keywords, operators) a member must contain for this rule to need its
    /// bound operations (<see cref="RoleSource.Operations"/>); empty for rules that read only syntax,
    /// declarations or the bodies they bind themselves.
    /// </summary>
    public virtual IEnumerable<string> Triggers => [];

    public abstract void Check(RoleSource role, RuleReport report);
}
