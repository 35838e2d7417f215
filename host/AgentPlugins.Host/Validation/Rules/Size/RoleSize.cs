using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AgentPlugins.Host.Validation.Rules.Size;

/// <summary>AP0501: a role stays under 300 lines: one file a person (or a model) reads whole.</summary>
internal sealed class RoleSize : RoleRule
{
    /// <summary>The most lines a role file may have.</summary>
    public const int MaxLines = 300;

    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Warning(
        "AP0501", RuleCategory.Size, "A role stays under 300 lines",
        "The role is {0} lines long (limit {1}); split it into roles that each do one job (they talk through bus events), and cut what the model does not need.");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        var text = role.Tree.GetText(role.Cancellation);
        var lines = text.Lines.Count;

        // A final newline ends the last line; it does not start another.
        if (lines > 0 && text.Lines[^1].Span.IsEmpty)
        {
            lines--;
        }

        if (lines > MaxLines)
        {
            var start = text.Lines[MaxLines].Start;
            report.Add(Rule, Location.Create(role.Tree, TextSpan.FromBounds(start, text.Lines[MaxLines].End)), lines, MaxLines);
        }
    }
}
