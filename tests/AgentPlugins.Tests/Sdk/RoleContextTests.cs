using System.Reflection;
using AgentPlugins.Sdk;

namespace AgentPlugins.Tests.Sdk;

/// <summary>Tools, intent handlers and prompt hooks reach the same things through one base, <see cref="RoleContext"/>.</summary>
public sealed class RoleContextTests
{
    private static readonly string[] Shared = ["Role", "Origin", "Settings", "Clock", "Log", "Timers", "Store", "Http", "Cancellation"];

    [Fact]
    public void Both_contexts_derive_from_RoleContext_which_alone_declares_what_they_share()
    {
        Assert.Equal(typeof(RoleContext), typeof(IntentContext).BaseType);
        Assert.Equal(typeof(RoleContext), typeof(PromptContext).BaseType);
        Assert.Equal(typeof(RoleContext), typeof(ToolContext).BaseType);
        Assert.Equal(Shared.Order(StringComparer.Ordinal), DeclaredProperties(typeof(RoleContext)));
        Assert.Empty(DeclaredProperties(typeof(IntentContext)).Intersect(Shared));
        Assert.Empty(DeclaredProperties(typeof(PromptContext)).Intersect(Shared));
    }

    [Fact]
    public void What_only_one_kind_of_call_has_stays_on_its_own_context()
    {
        Assert.Equal(["Publish", "NotifyAsync"], typeof(IntentContext).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(m => m.Name));
        Assert.Equal(["Parameters", "Request"], DeclaredProperties(typeof(PromptContext)));
    }

    [Fact]
    public void A_tool_context_is_sealed_and_only_the_host_builds_one()
    {
        Assert.True(typeof(ToolContext).IsSealed);
        Assert.Empty(typeof(ToolContext).GetConstructors(BindingFlags.Public | BindingFlags.Instance));
        Assert.Empty(DeclaredProperties(typeof(ToolContext)));
    }

    [Fact]
    public void A_role_cannot_derive_its_own_context_from_RoleContext()
    {
        var constructor = Assert.Single(typeof(RoleContext).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance));

        // private protected: visible to types derived from it inside the SDK only.
        Assert.True(constructor.IsFamilyAndAssembly);
    }

    private static IEnumerable<string> DeclaredProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(p => p.Name).Order(StringComparer.Ordinal);
}
