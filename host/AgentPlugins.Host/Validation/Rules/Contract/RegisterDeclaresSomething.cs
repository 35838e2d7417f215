using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.Contract;

/// <summary>AP0002: <c>Register</c> declares at least one event handler, tool object or intent handler.</summary>
internal sealed class RegisterDeclaresSomething : RoleRule
{
    private static readonly DiagnosticDescriptor Rule = RuleDescriptor.Error(
        "AP0002", RuleCategory.Contract, "Register declares what the role does",
        "{0}.Register declares nothing; call role.On(...), role.Tools(this) or role.Handle<TIntent>(...) in it, or the role can never be called");

    public override DiagnosticDescriptor Descriptor => Rule;

    public override void Check(RoleSource role, RuleReport report)
    {
        if (role.Roles.FirstOrDefault() is not { } first || !role.Registration.IsEmpty)
        {
            return;
        }

        var contract = first.Symbol.AllInterfaces.First(i => i.IsSdk("IRole")).GetMembers("Register").FirstOrDefault();
        var register = contract is null ? null : first.Symbol.FindImplementationForInterfaceMember(contract);
        var where = register is not null && role.IsDeclaredHere(register) ? register.Locations[0] : first.NameLocation;
        report.Add(Rule, where, first.Symbol.Name);
    }
}
