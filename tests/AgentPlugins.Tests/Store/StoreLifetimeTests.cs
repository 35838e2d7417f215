using AgentPlugins.Host.Storage;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Store;

/// <summary>The store in the running host: it outlives role generations, the role file and the host process.</summary>
public sealed class StoreLifetimeTests
{
    private const string Notes = """
        using AgentPlugins.Sdk;

        public sealed record AddNote(string Text) : Intent { public override bool Validate() => Text.Length > 0; }

        public sealed class NotesRole : IRole
        {
            public RoleConfig Config { get; } = new("notes", "1.0.0", "Notes", WhenToUse: "tests");

            public void Register(RoleBuilder role) => role.Handle<AddNote>(ProcessAddNote);

            private static async Task ProcessAddNote(AddNote intent, IntentContext context)
            {
                var notes = await context.Store.User.UpdateAsync<List<string>>("notes", n => [.. n ?? [], intent.Text]);
                await context.NotifyAsync($"Noted ({notes.Count}).");
            }
        }
        """;

    [Fact]
    public async Task Notes_survive_a_reload_deleting_and_restoring_the_role_file_and_a_host_restart()
    {
        var folder = new TempFolder();
        var test = await TestRuntime.Create(new Dictionary<string, string> { ["notes.cs"] = Notes }, folder: folder).StartAsync();
        try
        {
            await Add(test, "one", 1);
            Assert.Empty(await test.LoadSourceAsync(test.PathOf("notes.cs"), Notes.Replace("1.0.0", "1.0.1", StringComparison.Ordinal)));
            await Add(test, "two", 2);

            var text = File.ReadAllText(test.PathOf("notes.cs"));
            await test.RetireAsync(test.PathOf("notes.cs"));
            Assert.Empty(await test.LoadSourceAsync(test.PathOf("notes.cs"), text));
            await Add(test, "three", 3);

            Assert.Contains("store", test.Get<RetentionService>().Stores);
            Assert.Contains(test.Get<DataFolderUsage>().Files, f => f.File == "store.db");
        }
        finally
        {
            // Stopped, not disposed: disposing would delete the folder the restart needs.
            await test.ShutDownAsync();
        }

        await using var restarted = await TestRuntime.Create(new Dictionary<string, string> { ["notes.cs"] = Notes }, folder: folder).StartAsync();
        Assert.Equal(["one", "two", "three"], await TurnTests.ReadAsync<List<string>>(restarted, "notes", "user:console:ann"));
        await Add(restarted, "four", 4);
        Assert.Equal(["one", "two", "three", "four"], await TurnTests.ReadAsync<List<string>>(restarted, "notes", "user:console:ann"));
    }

    private static async Task Add(TestRuntime test, string text, int count)
    {
        await TurnTests.SubmitAll(test, [TurnTests.Intent(test, "AddNote", text)]);
        await test.Console.WaitForAsync(m => m.Text == $"Noted ({count}).");
    }
}
