using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;
using AgentPlugins.Host.Loop;

namespace AgentPlugins.Host.Supervision;

/// <summary>
/// The crash journal: one memory-mapped page in the data folder (<c>crash-journal</c>) where the loop
/// marks each role call (<see cref="CallMarks"/>). Opening it reads what the previous run left: a
/// mark still set means that run ended inside that role call, because a clean stop clears it.
/// </summary>
internal sealed class CrashJournal : IDisposable
{
    public const string FileName = "crash-journal";

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly CallMarks _marks;
    private bool _released;

    private CrashJournal(MemoryMappedFile file, MemoryMappedViewAccessor view, CallMarks marks, CrashRecord? previous)
    {
        _file = file;
        _view = view;
        _marks = marks;
        Previous = previous;
    }

    /// <summary>The role call the previous run died in, or null when it stopped cleanly (or never ran).</summary>
    public CrashRecord? Previous { get; }

    public static string PathIn(string dataFolder) => Path.Combine(dataFolder, FileName);

    /// <summary>Reads what the previous run left, then attaches the page to <paramref name="marks"/>.</summary>
    public static CrashJournal Open(string dataFolder, CallMarks marks)
    {
        ArgumentNullException.ThrowIfNull(marks);
        Directory.CreateDirectory(dataFolder);
        var path = PathIn(dataFolder);
        var previous = ReadPrevious(path);
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.OpenOrCreate, null, CallMarks.Size, MemoryMappedFileAccess.ReadWrite);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, CallMarks.Size, MemoryMappedFileAccess.ReadWrite);
            var added = false;
            view.SafeMemoryMappedViewHandle.DangerousAddRef(ref added);
            var page = view.SafeMemoryMappedViewHandle.DangerousGetHandle() + (nint)view.PointerOffset;
            Marshal.WriteInt32(page, CallMarks.StateOffset, CallMarks.Idle);
            Marshal.WriteInt32(page, CallMarks.MagicOffset, CallMarks.Magic);
            Marshal.WriteInt32(page, CallMarks.VersionOffset, CallMarks.Version);
            marks.Attach(page);
            return new CrashJournal(file, view, marks, previous);
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads a journal file without opening it for writing (tests, diagnostics).</summary>
    public static CrashRecord? ReadPrevious(string path)
    {
        byte[] page;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            page = File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return null;
        }

        if (page.Length < CallMarks.Size
            || BitConverter.ToInt32(page, CallMarks.MagicOffset) != CallMarks.Magic
            || BitConverter.ToInt32(page, CallMarks.VersionOffset) != CallMarks.Version)
        {
            return null;
        }

        var state = BitConverter.ToInt32(page, CallMarks.StateOffset);
        var position = BitConverter.ToInt64(page, CallMarks.CurrentOffset);
        if (state == CallMarks.Idle || position < 0)
        {
            return null;
        }

        var at = CallMarks.RingIndex(position);
        var length = at + sizeof(int) <= page.Length ? BitConverter.ToInt32(page, at) : -1;
        if (length <= 0 || length > CallMarks.MaxRecord || at + sizeof(int) + length > CallMarks.Size)
        {
            return null;
        }

        var fields = Encoding.UTF8.GetString(page, at + sizeof(int), length).Split('\n');
        if (fields.Length != 5 || !int.TryParse(fields[1], System.Globalization.CultureInfo.InvariantCulture, out var generation))
        {
            return null;
        }

        return new CrashRecord(fields[0], generation, fields[2], fields[3], fields[4], state == CallMarks.Stuck);
    }

    /// <summary>
    /// Clears a mark the previous run left on <paramref name="rolePath"/>, so the next start does not
    /// quarantine it again (a release while no host runs). False when the journal names another file or none.
    /// </summary>
    public static bool Forget(string dataFolder, string rolePath)
    {
        var path = PathIn(dataFolder);
        if (ReadPrevious(path)?.Path != rolePath)
        {
            return false;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        file.Position = CallMarks.StateOffset;
        file.Write(BitConverter.GetBytes(CallMarks.Idle));
        return true;
    }

    /// <summary>Writes the page to disk now (the kernel keeps it across a process crash anyway; this covers a machine crash).</summary>
    public void Flush() => _view.Flush();

    /// <summary>
    /// Clears the mark and unmaps the page. Only once the loop thread has ended: a loop still stuck in
    /// a role call keeps its mark, so the next start finds the culprit.
    /// </summary>
    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        _marks.Clear();
        _marks.Detach();
        _view.Flush();
        _view.SafeMemoryMappedViewHandle.DangerousRelease();
        _view.Dispose();
        _file.Dispose();
    }
}
