using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentPlugins.Host.Validation;

/// <summary>
/// One use of a member the role did not declare: a call, a property, field or event access, a method
/// group or a constructor. Rules match these against the APIs they forbid.
/// </summary>
/// <param name="Operation">Where it happens; its syntax is the span a rule reports.</param>
/// <param name="Member">The member used (a constructor for <c>new</c>).</param>
/// <param name="TypeName">The full name of the member's type, without arity (<see cref="KnownSymbols.FullName"/>).</param>
/// <param name="Receiver">The instance the member is used on, when it is an instance member.</param>
internal sealed record ApiUse(IOperation Operation, ISymbol Member, string TypeName, IOperation? Receiver)
{
    public string MemberName => Member.Name;

    public bool IsCreation => Operation is IObjectCreationOperation;

    public bool IsStatic => Member.IsStatic;

    /// <summary><c>Type.Member</c> as a person writes it: <c>Task.Run</c>, <c>new Thread</c>.</summary>
    public string Display => IsCreation
        ? $"new {Member.ContainingType.Name}"
        : $"{Member.ContainingType.Name}.{Member.Name}";

    /// <summary>The external member <paramref name="operation"/> uses, or null when it uses none (or one the role declares).</summary>
    public static ApiUse? Of(IOperation operation, IAssemblySymbol roleAssembly, Func<ITypeSymbol, string> fullName)
    {
        (ISymbol? member, IOperation? receiver) = operation switch
        {
            IInvocationOperation call => (call.TargetMethod, call.Instance),
            IPropertyReferenceOperation property => (property.Property, property.Instance),
            IFieldReferenceOperation field => (field.Field, field.Instance),
            IEventReferenceOperation @event => (@event.Event, @event.Instance),
            IMethodReferenceOperation method => (method.Method, method.Instance),
            IObjectCreationOperation { Constructor: { } constructor } => (constructor, null),
            _ => ((ISymbol?)null, (IOperation?)null),
        };

        if (member?.ContainingType is not { } type || SymbolEqualityComparer.Default.Equals(member.ContainingAssembly, roleAssembly))
        {
            return null;
        }

        return new ApiUse(operation, member, fullName(type.OriginalDefinition), receiver);
    }
}
