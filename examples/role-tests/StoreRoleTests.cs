using AgentPlugins.Testing;

namespace RoleTests;

// The notes and reminder roles keep what they owe the user in the host's durable store. Their tools
// and registration are tested here; their intent handlers need context.Store, which the kit does not
// give yet (docs/testing-roles.md, "The durable store").
public sealed class StoreRoleTests
{
    [Fact]
    public async Task Notes_registers_described_tools_and_its_intents()
    {
        using var notes = await RoleHarness.LoadAsync(RoleFiles.Path("notes.cs"));

        Assert.Equal(["add_note", "clear_notes", "list_notes", "search_notes"], notes.Registration.Tools.Select(t => t.Name));
        Assert.All(notes.Registration.Tools, t => Assert.False(string.IsNullOrWhiteSpace(t.Description)));
        Assert.Equal(["AddNoteIntent", "ClearNotesIntent"], notes.Registration.IntentTypes);
        Assert.Empty(notes.Warnings);
    }

    [Fact]
    public async Task Add_note_returns_a_valid_intent_with_the_trimmed_text_and_refuses_an_empty_one()
    {
        using var notes = await RoleHarness.LoadAsync(RoleFiles.Path("notes.cs"));

        var added = await notes.CallToolAsync("add_note", new { text = "  buy milk " });
        Assert.True(added.Success);
        var intent = added.Intents.SingleNamed("AddNoteIntent");
        Assert.True(intent.IsValid);
        Assert.Equal("buy milk", intent.Get<string>("Text"));

        var empty = await notes.CallToolAsync("add_note", new { text = " " });
        Assert.False(empty.Success);
        Assert.Empty(empty.Intents);
    }

    [Fact]
    public async Task Remind_me_reads_when_and_returns_a_valid_reminder_intent()
    {
        using var reminder = await RoleHarness.LoadAsync(RoleFiles.Path("reminder.cs"));
        Assert.Contains(AgentPlugins.Sdk.Events.TimerExpired, reminder.Registration.Events);

        var set = await reminder.CommandAsync("remind_me 20m \"call mum\"");

        Assert.True(set.Success);
        var intent = set.Intents.SingleNamed("SetReminderIntent");
        Assert.True(intent.IsValid);
        Assert.Equal("call mum", intent.Get<string>("Text"));
        Assert.Equal(TimeSpan.FromMinutes(20), intent.Get<AgentPlugins.Sdk.TimerDue>("Due").After);
        Assert.False((await reminder.CommandAsync("remind_me later \"call mum\"")).Success);
    }
}
