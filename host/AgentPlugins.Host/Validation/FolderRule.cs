using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation;

/// <summary>
/// A check that needs every role file of a folder (unique names, who publishes what). Only
/// <c>host validate</c> sees a whole folder at once; the loader checks one file at a time.
/// </summary>
internal abstract class FolderRule
{
    public abstract DiagnosticDescriptor Descriptor { get; }

    public abstract void Check(IReadOnlyList<RoleFacts> folder, RuleReport report);
}
