using AgentPlugins.Host.Compilation;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AgentPlugins.Host.Validation;

/// <summary>What the folder rules need to know about one role file.</summary>
/// <param name="Path">The role file.</param>
/// <param name="Name">The role's name when Config gives it as a constant, else null.</param>
/// <param name="NameLocation">Where the name is written.</param>
/// <param name="Subscriptions">The event types it subscribes to (constants only) and where.</param>
/// <param name="Published">The event types it publishes: the constant types of every <c>new BusEvent(...)</c>.</param>
/// <param name="Parses">False when the file has syntax errors: then they are all it reports, folder rules included.</param>
internal sealed record RoleFacts(
    string Path,
    string? Name,
    Location? NameLocation,
    IReadOnlyList<SubscriptionCall> Subscriptions,
    IReadOnlySet<string> Published,
    bool Parses = true)
{
    public static RoleFacts Of(RoleSource role)
    {
        var name = role.Config?.Argument("Name");
        return new RoleFacts(
            role.Path,
            name?.Text,
            name?.Location,
            [.. role.Registration.Subscriptions.Where(s => s.EventType is not null)],
            FindPublished(role),
            !SyntaxErrors.In(role.Tree, role.Cancellation));
    }

    // Event creations are found by syntax first (`new BusEvent(...)`, or a target-typed `new(...)` that
    // could be one), so this binds only the members that may create events.
    private static HashSet<string> FindPublished(RoleSource role)
    {
        var published = new HashSet<string>(StringComparer.Ordinal);
        var candidates = role.Nodes.OfType<BaseObjectCreationExpressionSyntax>().Where(creation => creation switch
        {
            ObjectCreationExpressionSyntax explicitly => RightmostName(explicitly.Type) == "BusEvent",
            ImplicitObjectCreationExpressionSyntax => true,
            _ => false,
        });
        foreach (var creation in candidates)
        {
            if (role.Model.GetOperation(creation, role.Cancellation) is IObjectCreationOperation { Type: var type } operation
                && type.IsSdk("BusEvent")
                && operation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "Type" || a.Parameter?.Name == "type") is { Value.ConstantValue: { HasValue: true, Value: string eventType } })
            {
                published.Add(eventType);
            }
        }

        return published;
    }

    private static string? RightmostName(TypeSyntax type) => type switch
    {
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        _ => null,
    };
}
