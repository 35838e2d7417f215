using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentPlugins.Host.Validation;

/// <summary>
/// The role's <c>Config</c> as written: a <c>new RoleConfig(...)</c> whose arguments the rules can read
/// before the role runs, or (<see cref="Creation"/> null) something they cannot.
/// </summary>
/// <param name="PropertyLocation">The <c>Config</c> property's name.</param>
/// <param name="Creation">The <c>new RoleConfig(...)</c> expression, when Config is one.</param>
internal sealed record RoleConfigDeclaration(Location PropertyLocation, IObjectCreationOperation? Creation)
{
    /// <summary>The argument for <paramref name="parameter"/> (<c>name</c>, <c>version</c>, ...), given or defaulted; null when Config is not a creation.</summary>
    public ConfigArgument? Argument(string parameter)
    {
        var argument = Creation?.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter);
        if (argument is null)
        {
            return null;
        }

        var given = argument.ArgumentKind != ArgumentKind.DefaultValue;
        var location = given ? argument.Syntax.GetLocation() : Creation!.Syntax.GetLocation();
        var constant = argument.Value.ConstantValue;
        return new ConfigArgument(parameter, constant.HasValue ? constant.Value : null, constant.HasValue, given, location);
    }
}

/// <summary>One argument of <c>new RoleConfig(...)</c>.</summary>
/// <param name="Parameter">The parameter's name.</param>
/// <param name="Value">Its value when constant.</param>
/// <param name="IsConstant">True when the value is known before the role runs.</param>
/// <param name="IsGiven">False when the parameter's default applies.</param>
/// <param name="Location">The argument, or the whole creation when the default applies.</param>
internal sealed record ConfigArgument(string Parameter, object? Value, bool IsConstant, bool IsGiven, Location Location)
{
    public string? Text => Value as string;
}
