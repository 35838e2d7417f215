using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.SingleLoop;

/// <summary>
/// AP0103: nothing blocks the loop: no <c>Thread.Sleep</c>, and no waiting on a task
/// (<c>.Result</c>, <c>.Wait()</c>, <c>GetAwaiter().GetResult()</c>) or a wait handle.
/// </summary>
internal sealed class NoBlocking : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0103", RuleCategory.SingleLoop, "Nothing blocks the loop",
        "{0} blocks the loop: nothing else runs until it returns, and a wait for work that needs the loop never ends. Use await (or Task.Delay instead of Thread.Sleep).");

    private static readonly ApiSet Forbidden = new(
        types: [],
        members:
        [
            "System.Threading.Thread.Sleep",
            "System.Threading.Thread.Join",
            "System.Threading.Tasks.Task.Wait",
            "System.Threading.Tasks.Task.WaitAll",
            "System.Threading.Tasks.Task.WaitAny",
            "System.Threading.Tasks.Task.Result",
            "System.Threading.Tasks.ValueTask.Result",
            "System.Runtime.CompilerServices.TaskAwaiter.GetResult",
            "System.Runtime.CompilerServices.ValueTaskAwaiter.GetResult",
            "System.Runtime.CompilerServices.ConfiguredTaskAwaitable.ConfiguredTaskAwaiter.GetResult",
            "System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter.GetResult",
            "System.Threading.WaitHandle.WaitOne",
            "System.Threading.WaitHandle.WaitAll",
            "System.Threading.WaitHandle.WaitAny",
            "System.Threading.SemaphoreSlim.Wait",
            "System.Threading.ManualResetEventSlim.Wait",
            "System.Threading.CountdownEvent.Wait",
            "System.Threading.Barrier.SignalAndWait",
            "System.Threading.SpinWait.SpinUntil",
        ]);

    public override DiagnosticDescriptor Descriptor => Rule;

    public override IEnumerable<string> Triggers => Forbidden.Words;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var use in role.ApiUses.Where(Forbidden.ListsMember))
        {
            report.Add(Rule, use.Operation.Syntax.GetLocation(), use.Display);
        }
    }
}
