using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Contract;

/// <summary>AP0002: <c>Register</c> declares something: an event handler, tools, an intent handler or a prompt.</summary>
internal sealed class RegisterDeclaresSomething : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0002", RuleCategory.Contract, "Register declares what the role does",
        "{0}.Register declares nothing; call role.On(...), role.Tools(this), role.Handle<TIntent>(...) or role.Prompt(...) in it, or the role can never be called.");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        if (role.Roles.FirstOrDefault() is not { } first || !role.Registration.IsEmpty)
        {
            return;
        }

        var contract = first.Symbol.AllInterfaces.First(i => i.IsSdk("IRole")).GetMembers("Register").FirstOrDefault();
        var register = contract is null ? null : first.Symbol.FindImplementationForInterfaceMember(contract);
        var syntax = register?.DeclaringSyntaxReferences.FirstOrDefault(r => r.SyntaxTree == role.Tree)?.GetSyntax(role.Cancellation);

        // A Register that does not compile may well declare something; the compiler's error says what to fix.
        if (syntax is not null && role.Model.GetDiagnostics(syntax.Span, role.Cancellation).Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            return;
        }

        var where = register is not null && role.IsDeclaredHere(register) ? register.Locations[0] : first.NameLocation;
        report.Add(Rule, where, first.Symbol.Name);
    }
}
