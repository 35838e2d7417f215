using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Supervision;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Supervision;

public sealed class CrashJournalTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_marked_call_is_on_disk_while_it_runs_and_gone_once_cleared()
    {
        var marks = new CallMarks();
        using var journal = CrashJournal.Open(_folder.Path, marks);
        var guard = new GenerationGuard("spin", "/roles/spin.cs", "abc123") { Generation = 3 };
        var path = CrashJournal.PathIn(_folder.Path);

        marks.Mark(guard.Call("Spin"));

        // What a process that died now would leave: read from the file, not the mapping.
        Assert.Equal(new CrashRecord("spin", 3, "Spin", "/roles/spin.cs", "abc123", false), CrashJournal.ReadPrevious(path));
        marks.MarkStuck();
        Assert.True(CrashJournal.ReadPrevious(path)!.PassedHardLimit);
        marks.Clear();
        Assert.Null(CrashJournal.ReadPrevious(path));
    }

    [Fact]
    public void Marking_another_call_replaces_the_record_and_a_long_one_is_cut_to_the_page()
    {
        var marks = new CallMarks();
        using var journal = CrashJournal.Open(_folder.Path, marks);
        var first = new GenerationGuard("a", "/roles/a.cs", "h1") { Generation = 1 };
        var second = new GenerationGuard("b", "/roles/" + new string('x', 5000) + ".cs", "h2") { Generation = 2 };

        marks.Mark(first.Call("One"));
        marks.Clear();
        marks.Mark(second.Call("Two"));

        // The record is cut to the page, so it no longer parses as five fields: no false culprit.
        Assert.Null(CrashJournal.ReadPrevious(CrashJournal.PathIn(_folder.Path)));
        marks.Mark(first.Call("One"));
        Assert.Equal("a", CrashJournal.ReadPrevious(CrashJournal.PathIn(_folder.Path))!.Role);
    }

    [Fact]
    public void Records_are_written_once_per_call_and_written_again_once_the_ring_has_passed_them()
    {
        var marks = new CallMarks();
        using var journal = CrashJournal.Open(_folder.Path, marks);
        var path = CrashJournal.PathIn(_folder.Path);
        var first = new GenerationGuard("first", "/roles/first.cs", "h0") { Generation = 1 }.Call("Handle");
        marks.Mark(first);
        marks.Clear();

        // Enough other calls to go round the ring more than once.
        for (var i = 0; i < 3000; i++)
        {
            var call = new GenerationGuard($"role{i}", $"/roles/role{i}.cs", $"h{i}") { Generation = i }.Call("Handle");
            marks.Mark(call);
            Assert.Equal($"role{i}", CrashJournal.ReadPrevious(path)?.Role);
            marks.Clear();
        }

        marks.Mark(first);
        Assert.Equal(new CrashRecord("first", 1, "Handle", "/roles/first.cs", "h0", false), CrashJournal.ReadPrevious(path));
    }

    [Fact]
    public void Opening_reads_what_the_previous_run_left_then_starts_clean()
    {
        var died = new CallMarks();
        var previous = CrashJournal.Open(_folder.Path, died);
        died.Mark(new GenerationGuard(string.Empty, "/roles/boot.cs", "h") { Generation = 0 }.Call("load"));

        // The "crash": the page is never cleared. A new run opens the same file.
        var marks = new CallMarks();
        using var journal = CrashJournal.Open(_folder.Path, marks);

        Assert.Equal(new CrashRecord(string.Empty, 0, "load", "/roles/boot.cs", "h", false), journal.Previous);
        Assert.Equal("boot.cs", journal.Previous!.DisplayName);
        Assert.Null(CrashJournal.ReadPrevious(CrashJournal.PathIn(_folder.Path)));
        previous.Dispose();
    }

    [Fact]
    public void Forgetting_clears_a_mark_on_that_file_only()
    {
        var marks = new CallMarks();
        var journal = CrashJournal.Open(_folder.Path, marks);
        marks.Mark(new GenerationGuard("spin", "/roles/spin.cs", "h").Call("spin"));

        Assert.False(CrashJournal.Forget(_folder.Path, "/roles/other.cs"));
        Assert.NotNull(CrashJournal.ReadPrevious(CrashJournal.PathIn(_folder.Path)));
        Assert.True(CrashJournal.Forget(_folder.Path, "/roles/spin.cs"));
        Assert.Null(CrashJournal.ReadPrevious(CrashJournal.PathIn(_folder.Path)));
        journal.Dispose();
    }

    [Fact]
    public void A_clean_stop_leaves_nothing_and_garbage_is_not_a_culprit()
    {
        var marks = new CallMarks();
        var journal = CrashJournal.Open(_folder.Path, marks);
        marks.Mark(new GenerationGuard("a", "/a.cs", "h").Call("x"));
        journal.Dispose();
        Assert.Null(CrashJournal.ReadPrevious(CrashJournal.PathIn(_folder.Path)));

        File.WriteAllBytes(CrashJournal.PathIn(_folder.Path), new byte[CallMarks.Size].Select((_, i) => (byte)i).ToArray());
        Assert.Null(CrashJournal.ReadPrevious(CrashJournal.PathIn(_folder.Path)));
        File.WriteAllText(CrashJournal.PathIn(_folder.Path), "short");
        Assert.Null(CrashJournal.ReadPrevious(CrashJournal.PathIn(_folder.Path)));
    }

    [Fact]
    public void The_quarantine_list_survives_a_reopen_and_matches_content_and_names()
    {
        var store = QuarantineStore.Open(_folder.Path);
        store.Add(new QuarantineEntry("/roles/spin.cs", "spin", "h1", "held the loop", DateTimeOffset.UnixEpoch));
        store.Add(new QuarantineEntry("/roles/boot.cs", "boot.cs", "h2", "crashed", DateTimeOffset.UnixEpoch));

        var reopened = QuarantineStore.Open(_folder.Path);

        Assert.Equal("held the loop", reopened.Find("/roles/spin.cs", "h1")?.Reason);
        Assert.Null(reopened.Find("/roles/spin.cs", "other content"));
        Assert.Equal("/roles/boot.cs", Assert.Single(reopened.Named("boot")).Path);
        Assert.Equal("/roles/spin.cs", Assert.Single(reopened.Named("SPIN")).Path);
        Assert.True(reopened.Remove("/roles/spin.cs"));
        Assert.False(reopened.Remove("/roles/spin.cs"));
        Assert.Single(QuarantineStore.Open(_folder.Path).Entries);
    }

    [Fact]
    public void A_damaged_quarantine_list_is_an_error_naming_the_file()
    {
        _folder.Write(QuarantineStore.FileName, "{ not json");

        var error = Assert.Throws<IOException>(() => QuarantineStore.Open(_folder.Path));

        Assert.Contains(QuarantineStore.PathIn(_folder.Path), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("400000", null, 400)]
    [InlineData("400000", "self", 400)]
    [InlineData("400000", "1", null)]
    [InlineData(null, null, null)]
    [InlineData("0", null, null)]
    [InlineData("abc", null, null)]
    public void The_watchdog_interval_is_read_for_this_process_only(string? microseconds, string? pid, int? milliseconds)
    {
        var environment = new Dictionary<string, string?>
        {
            ["WATCHDOG_USEC"] = microseconds,
            ["WATCHDOG_PID"] = pid == "self" ? Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) : pid,
        };

        var interval = LoopHeartbeat.WatchdogInterval(name => environment.GetValueOrDefault(name));

        Assert.Equal(milliseconds is null ? null : TimeSpan.FromMilliseconds(milliseconds.Value), interval);
    }
}
