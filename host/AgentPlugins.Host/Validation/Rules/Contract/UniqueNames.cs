using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Contract;

/// <summary>AP0006: no two role files of a folder use the same role name (the host would load only one of them).</summary>
internal sealed class UniqueNames : FolderRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0006", RuleCategory.Contract, "Role names are unique in a folder",
        "Role name '{0}' is also used by {1}; role names are unique in a folder and the host refuses the second one (AP1006). Rename one of them.");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(IReadOnlyList<RoleFacts> folder, RuleReport report)
    {
        foreach (var clash in folder.Where(f => f.Name is not null).GroupBy(f => f.Name!, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            foreach (var role in clash)
            {
                var others = clash.Where(other => other != role).Select(other => Path.GetFileName(other.Path));
                report.Add(Rule, role.NameLocation!, clash.Key, string.Join(", ", others));
            }
        }
    }
}
