// The notes role: write down, list, search and clear a user's notes. Notes live in the host's
// durable store (context.Store.User), one list per user, so they survive edits of this file, its
// deletion and host restarts. Tools only read; adding and clearing go through intents.
using System.ComponentModel;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

// ── 1. Intents this role owns: one per action, each checks its own values ────────────────────

/// <summary>Add a note to the user's notes.</summary>
public sealed record AddNoteIntent(string Text) : Intent
{
    public override bool Validate() => !string.IsNullOrWhiteSpace(Text) && Text.Length <= NotesRole.LongestNote;
}

/// <summary>Delete all of the user's notes.</summary>
public sealed record ClearNotesIntent : Intent
{
    public override bool Validate() => true;
}

public sealed class NotesRole : IRole
{
    /// <summary>The longest note, in characters.</summary>
    public const int LongestNote = 2000;

    // Where the user's notes are kept: one JSON list under this key in the user's part of the store.
    private const string NotesKey = "notes";

    // ── 2. Metadata: what the role is and when the router picks it ───────────────────────────

    public RoleConfig Config { get; } = new(
        Name: "notes",
        Version: "1.0.0",
        Description: "Notes per user: add, list, search, clear",
        WhenToUse: "Write something down for the user, or list, search or clear their notes",
        Llm: LlmTier.Weak,
        FastReply: true);

    // ── 3. Registration: everything below, in this order ─────────────────────────────────────

    public void Register(RoleBuilder role)
    {
        role.Tools(this);
        role.Handle<AddNoteIntent>(ProcessAddNote);
        role.Handle<ClearNotesIntent>(ProcessClearNotes);
    }

    // ── 4. Event handlers: pure, event in, intents out ───────────────────────────────────────
    // None: notes change only when the user asks.

    // ── 5. Tools: what the model (or a /notes command) can call; they return intents ─────────

    [KernelFunction("add_note"), Description("Write a note down for the user")]
    public ToolResult AddNote([Description("The note, e.g. buy milk")] string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return ToolResult.Fail("Say what to note.");
        }

        return text.Length > LongestNote
            ? ToolResult.Fail($"A note has at most {LongestNote} characters; this one has {text.Length}.")
            : ToolResult.Ok($"Noting '{text.Trim()}'.", new AddNoteIntent(text.Trim()));
    }

    [KernelFunction("list_notes"), Description("List the user's notes, oldest first")]
    public async Task<ToolResult> ListNotes(ToolContext context)
    {
        var notes = await ReadNotes(context);
        return ToolResult.Ok(notes.Count == 0 ? "You have no notes." : Numbered(notes));
    }

    [KernelFunction("search_notes"), Description("Find the user's notes that contain some words")]
    public async Task<ToolResult> SearchNotes([Description("Words to look for, e.g. milk")] string query, ToolContext context)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return ToolResult.Fail("Say what to look for.");
        }

        var found = (await ReadNotes(context)).Where(note => note.Contains(query.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
        return ToolResult.Ok(found.Count == 0 ? $"No note mentions '{query.Trim()}'." : Numbered(found));
    }

    [KernelFunction("clear_notes"), Description("Delete all of the user's notes")]
    public ToolResult ClearNotes() => ToolResult.Ok("Clearing your notes.", new ClearNotesIntent());

    // ── 6. Helpers: private static functions ─────────────────────────────────────────────────

    private static async Task<List<string>> ReadNotes(RoleContext context) =>
        await context.Store.User.GetAsync<List<string>>(NotesKey) ?? [];

    private static string Numbered(List<string> notes) =>
        string.Join("\n", notes.Select((note, i) => $"{i + 1}. {note}"));

    // ── 7. Intent handlers: the only side effects, through the context's host services ───────
    // The host runs one of this role's handlers at a time, so a read-modify-write needs no lock.

    private static async Task ProcessAddNote(AddNoteIntent intent, IntentContext context)
    {
        try
        {
            var notes = await context.Store.User.UpdateAsync<List<string>>(NotesKey, notes => [.. notes ?? [], intent.Text]);
            await context.NotifyAsync($"Noted ({notes.Count} note{(notes.Count == 1 ? "" : "s")}).");
        }
        catch (StoreQuotaException full)
        {
            await context.NotifyAsync($"Note not saved: {full.Message}", Priority.High);
        }
    }

    private static async Task ProcessClearNotes(ClearNotesIntent intent, IntentContext context)
    {
        var had = await context.Store.User.DeleteAsync(NotesKey);
        await context.NotifyAsync(had ? "Your notes are cleared." : "You had no notes.");
    }
}
