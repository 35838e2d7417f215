using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Intents;

/// <summary>A request whose intent handler fails tells its requester why, instead of going quiet.</summary>
public sealed class HandlerFailureTests
{
    private const string Saver = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed record SaveIntent(string Text) : Intent
        {
            public override bool Validate() => Text.Length > 0;
        }

        public sealed class SaverRole : IRole
        {
            public RoleConfig Config { get; } = new("saver", "1.0.0", "Saves text", "tests");

            public void Register(RoleBuilder role)
            {
                role.Tools(this);
                role.Handle<SaveIntent>(SaveAsync);
            }

            [KernelFunction("save"), Description("Save a text")]
            public ToolResult Save([Description("What to save")] string text) => ToolResult.Ok($"Saving '{text}'.", new SaveIntent(text));

            private static async Task SaveAsync(SaveIntent intent, IntentContext context)
            {
                await Task.Yield();
                throw new InvalidOperationException("the disk holding notes.db is full");
            }
        }
        """;

    [Fact]
    public async Task The_requester_hears_that_the_handler_failed_and_why()
    {
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["saver.cs"] = Saver }).StartAsync();

        var reply = await test.AskAsync("/saver save hello");

        Assert.True(reply.Success, reply.Text);
        var told = await test.Console.WaitForAsync(m => m.Text.Contains("could not finish your request", StringComparison.Ordinal));
        Assert.Equal("tester", told.User);
        Assert.Contains("the disk holding notes.db is full", told.Text, StringComparison.Ordinal);
        Assert.Equal(1, test.Intents.Stats.Failed);
    }
}
