using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentPlugins.Host.Validation.Rules.UnloadSafety;

/// <summary>
/// AP0202: no static events, and no handlers added to events of objects the role does not own
/// (<c>AppDomain.CurrentDomain.ProcessExit += ...</c>): the publisher would keep the role's context alive.
/// </summary>
internal sealed class NoStaticEvents : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0202", RuleCategory.UnloadSafety, "No static events or outside event handlers", "{0}");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        foreach (var member in role.Members.Where(m => m.Modifiers.Any(SyntaxKind.StaticKeyword)))
        {
            var names = member switch
            {
                EventFieldDeclarationSyntax field => field.Declaration.Variables.Select(v => v.Identifier),
                EventDeclarationSyntax declared => [declared.Identifier],
                _ => [],
            };
            foreach (var name in names)
            {
                report.Add(Rule, name.GetLocation(), $"Static event {name.ValueText}: its subscribers keep the role's context alive after a reload. Publish a bus event instead (IntentContext.Publish).");
            }
        }

        // `x += y` is found by syntax; only those are bound, to ask whether x is an event.
        foreach (var assignment in role.Nodes.OfType<AssignmentExpressionSyntax>().Where(a => a.IsKind(SyntaxKind.AddAssignmentExpression)))
        {
            if (role.Model.GetSymbolInfo(assignment.Left, role.Cancellation).Symbol is IEventSymbol @event && (@event.IsStatic || !role.IsDeclaredHere(@event)))
            {
                report.Add(Rule, assignment.GetLocation(), $"Adding a handler to {@event.ContainingType.Name}.{@event.Name}: the event's owner then holds the role, so its context can never unload. Subscribe to bus events with role.On(...) instead.");
            }
        }
    }
}
