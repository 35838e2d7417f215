namespace AgentPlugins.Tests.Validation;

/// <summary>AP0010: a role handles only intent types it declares; the SDK's intents are the host's routes.</summary>
public sealed class SdkIntentRuleTests
{
    [Theory]
    [InlineData("NotificationIntent")]
    [InlineData("AuditIntent")]
    [InlineData("ErrorIntent")]
    [InlineData("WorkflowIntent")]
    [InlineData("Intent")]
    [InlineData("AgentPlugins.Sdk.NotificationIntent")]
    public void Handling_an_sdk_intent_is_an_error_at_the_handle_call(string intent)
    {
        var register = $"role.Handle<{intent}>((intent, context) => Task.CompletedTask);";
        var source = RoleText.With(register: register);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0010", Microsoft.CodeAnalysis.DiagnosticSeverity.Error), (found.Code, found.Severity));
        Assert.Equal((RoleText.LineOf(source, register), source.Split('\n')[found.Line - 1].IndexOf("Handle<", StringComparison.Ordinal) + 1), (found.Line, found.Column));
        Assert.StartsWith($"{intent.Split('.')[^1]} is an SDK intent", found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_handler_with_an_inferred_sdk_intent_type_is_caught_too()
    {
        var register = "role.Handle((AuditIntent intent, IntentContext context) => Task.CompletedTask);";
        var source = RoleText.With(register: register);

        var found = Assert.Single(Validate.Source(source));

        Assert.Equal(("AP0010", RoleText.LineOf(source, register)), (found.Code, found.Line));
    }

    [Fact]
    public void A_role_intent_that_shares_an_sdk_intent_s_name_is_the_role_s_own()
    {
        var source = RoleText.With(
            top: "public sealed record NotificationIntent(string Text) : Intent { public override bool Validate() => Text.Length > 0; }",
            register: "role.Handle<NotificationIntent>((intent, context) => context.NotifyAsync(intent.Text));");

        Assert.Empty(Validate.Source(source));
    }
}
