using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentPlugins.Host.Validation.Rules.SingleLoop;

/// <summary>
/// AP0101: role code never starts work beside the loop: no threads, thread pool, <c>Task.Run</c>,
/// <c>Task.Factory.StartNew</c>, <c>Parallel</c>, started tasks, <c>ContinueWith</c>, and no
/// <c>ConfigureAwait(false)</c>, whose continuation resumes on the thread pool.
/// </summary>
internal sealed class NoWorkOffTheLoop : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0101", RuleCategory.SingleLoop, "No work off the loop", "{0}");

    // Whole types are reported where they are created or used statically; an instance made here is reported once, at its creation.
    private static readonly ApiSet Forbidden = new(
        types:
        [
            "System.Threading.Thread",
            "System.Threading.ThreadPool",
            "System.Threading.Tasks.Parallel",
            "System.ComponentModel.BackgroundWorker",
        ],
        members:
        [
            "System.Threading.Tasks.Task.Run",
            "System.Threading.Tasks.Task.Start",
            "System.Threading.Tasks.Task.RunSynchronously",
            "System.Threading.Tasks.Task.ContinueWith",
            "System.Threading.Tasks.TaskFactory.StartNew",
            "System.Threading.Tasks.TaskFactory.ContinueWhenAll",
            "System.Threading.Tasks.TaskFactory.ContinueWhenAny",
        ],
        except:
        [
            // Reported by AP0103 as blocking.
            "System.Threading.Thread.Sleep",
        ]);

    public override DiagnosticDescriptor Descriptor => Rule;

    public override IEnumerable<string> Triggers => Forbidden.Words.Append("ConfigureAwait");

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var use in role.ApiUses)
        {
            if (Forbidden.ListsMember(use) || ((use.IsCreation || use.IsStatic) && Forbidden.ListsType(use)))
            {
                report.Add(Rule, use.Operation.Syntax.GetLocation(), $"{use.Display} runs work off the loop; role code runs on the host's single loop, one call at a time. Return an intent, or await the host's services from an intent handler.");
            }
            else if (use is { MemberName: "ConfigureAwait", Operation: IInvocationOperation call } && LeavesTheLoop(call))
            {
                report.Add(Rule, call.Syntax.GetLocation(), "ConfigureAwait(false) resumes the rest of the method off the loop, beside other role code; await without it.");
            }
        }
    }

    private static bool LeavesTheLoop(IInvocationOperation call) =>
        call.TargetMethod.ContainingType.Name is "Task" or "ValueTask"
        && call.Arguments is [{ Value.ConstantValue: { HasValue: true, Value: var value } }]
        && value switch
        {
            bool continueOnCapturedContext => !continueOnCapturedContext,
            int options => (options & 1) == 0, // ConfigureAwaitOptions without ContinueOnCapturedContext
            _ => false,
        };
}
