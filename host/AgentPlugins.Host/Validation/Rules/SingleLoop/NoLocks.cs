using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.SingleLoop;

/// <summary>AP0104: no <c>lock</c>, <c>Monitor</c> or other locks: on one loop there is nothing to lock against.</summary>
internal sealed class NoLocks : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0104", RuleCategory.SingleLoop, "No locks",
        "{0}: role code runs on one loop, one call at a time, so there is nothing to lock against, and a lock held while the loop waits deadlocks it. Remove it.");

    private static readonly ApiSet Forbidden = new(
        types:
        [
            "System.Threading.Monitor",
            "System.Threading.Lock",
            "System.Threading.SpinLock",
            "System.Threading.Mutex",
            "System.Threading.ReaderWriterLock",
            "System.Threading.ReaderWriterLockSlim",
        ],
        members: []);

    public override DiagnosticDescriptor Descriptor => Rule;

    public override IEnumerable<string> Triggers => Forbidden.Words;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var statement in role.Nodes.OfType<LockStatementSyntax>())
        {
            report.Add(Rule, statement.LockKeyword.GetLocation(), "lock");
        }

        foreach (var use in role.ApiUses.Where(u => (u.IsCreation || u.IsStatic) && Forbidden.ListsType(u)))
        {
            report.Add(Rule, use.Operation.Syntax.GetLocation(), use.Display);
        }
    }
}
