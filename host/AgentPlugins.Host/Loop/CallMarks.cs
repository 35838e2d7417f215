using System.Runtime.InteropServices;

namespace AgentPlugins.Host.Loop;

/// <summary>
/// The loop's side of the crash journal: before each role call it writes which call runs into a
/// memory-mapped file, and clears it after. The mapping is the kernel's, so it outlives the process:
/// a stack overflow, a fail-fast exit or the out-of-memory killer leave it saying who was running.
/// Each call's record (role, generation, handler, file, content hash) is appended to a ring in the
/// mapping once, when the call is first marked; after that marking a call costs two or three plain
/// stores. Only the loop thread writes, except <see cref="MarkStuck"/>.
/// </summary>
internal sealed unsafe class CallMarks
{
    /// <summary>The size of the journal file.</summary>
    public const int Size = 64 * 1024;

    public const int Magic = 0x4A435041; // "APCJ"
    public const int Version = 2;
    public const int MagicOffset = 0;
    public const int VersionOffset = 4;
    public const int StateOffset = 8;
    public const int CurrentOffset = 16;
    public const int RingOffset = 64;
    public const int RingSize = Size - RingOffset;

    /// <summary>The longest record kept; a longer one is cut (and then read as no culprit).</summary>
    public const int MaxRecord = 2048;

    /// <summary>No role call runs.</summary>
    public const int Idle = 0;

    /// <summary>A role call runs.</summary>
    public const int InCall = 1;

    /// <summary>A role call passed the hard limit; the host is exiting.</summary>
    public const int Stuck = 2;

    // x86 and x64 keep stores in order; elsewhere the record must be fenced before the state says "in call".
    private static readonly bool WeaklyOrdered = RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.X86);

    private byte* _page;
    private long _written;

    /// <summary>True once a page is attached.</summary>
    public bool IsAttached => _page != null;

    /// <summary>Where in the ring a record at <paramref name="position"/> starts.</summary>
    public static int RingIndex(long position) => RingOffset + (int)(position % RingSize);

    /// <summary>Starts writing to <paramref name="page"/>, <see cref="Size"/> bytes that stay mapped while the loop may run.</summary>
    public void Attach(nint page)
    {
        _written = 0;
        _page = (byte*)page;
    }

    /// <summary>Stops writing; the mapping may be released after this once the loop thread has ended.</summary>
    public void Detach() => _page = null;

    /// <summary>Marks <paramref name="call"/> as running.</summary>
    public void Mark(RoleCall call)
    {
        var page = _page;
        if (page == null)
        {
            return;
        }

        var position = call.JournalPosition;
        if (!ReferenceEquals(call.JournalOwner, this) || position < _written - RingSize)
        {
            position = Append(page, call);
        }

        *(long*)(page + CurrentOffset) = position;
        if (WeaklyOrdered)
        {
            // The position (and a record just appended) must be in place before the state says "in call".
            Interlocked.MemoryBarrier();
        }

        *(int*)(page + StateOffset) = InCall;
    }

    /// <summary>Marks that no role call runs.</summary>
    public void Clear()
    {
        var page = _page;
        if (page != null)
        {
            *(int*)(page + StateOffset) = Idle;
        }
    }

    /// <summary>Marks, from the watchdog, that the running call passed the hard limit.</summary>
    public void MarkStuck()
    {
        var page = _page;
        if (page != null)
        {
            Volatile.Write(ref *(int*)(page + StateOffset), Stuck);
        }
    }

    // Appends the call's record (length, then UTF-8) to the ring, never across its end; returns its position.
    private long Append(byte* page, RoleCall call)
    {
        var record = call.Record;
        var length = Math.Min(record.Length, MaxRecord);
        var position = _written;
        if ((position % RingSize) + sizeof(int) + length > RingSize)
        {
            position += RingSize - (position % RingSize);
        }

        var at = page + RingIndex(position);
        *(int*)at = length;
        record.AsSpan(0, length).CopyTo(new Span<byte>(at + sizeof(int), length));
        _written = position + sizeof(int) + length;
        call.JournalOwner = this;
        call.JournalPosition = position;
        return position;
    }
}
