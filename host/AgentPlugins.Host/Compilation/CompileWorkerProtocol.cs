using System.Buffers.Binary;
using System.Text;
using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Compilation;

/// <summary>
/// The frames between the host and <c>host compile-worker</c> (<see cref="CompilerProcess"/>): on the
/// worker's stdin and stdout, each frame is a 4-byte little-endian length, then that many bytes written
/// with <see cref="BinaryWriter"/> (little-endian numbers, strings as a 7-bit length and UTF-8).
/// <list type="bullet">
/// <item>Host → worker, compile: byte 1, int64 request id, string path, string content hash, string source text.</item>
/// <item>Host → worker, cancel: byte 2, int64 request id (the host no longer waits for it).</item>
/// <item>Worker → host, compiled: int64 request id, byte 1, the assembly and the PDB (int32 length, -1 for
/// none, then the bytes), int32 diagnostic count, each diagnostic (path, line, column, end line, end column
/// as int32, severity as int32, code, message, bool + help link), bool + the four stage timestamps as int64
/// (<see cref="CompileTimings"/>: <see cref="System.Diagnostics.Stopwatch"/> timestamps, the machine's
/// monotonic clock, so they compare with the host's own).</item>
/// <item>Worker → host, failed: int64 request id, byte 2, string (the compiler threw: type and message).</item>
/// </list>
/// Binary rather than JSON: reading it needs no serializer metadata in the host, and an assembly is bytes.
/// </summary>
internal static class CompileWorkerProtocol
{
    public const byte CompileRequest = 1;
    public const byte CancelRequest = 2;
    public const byte Compiled = 1;
    public const byte Failed = 2;

    /// <summary>A frame larger than this is a broken stream, not a role (role files are at most a few MB).</summary>
    public const int MaxFrameBytes = 256 * 1024 * 1024;

    /// <summary>Writes one frame made by <paramref name="write"/>; the caller serializes writers.</summary>
    public static void WriteFrame(Stream stream, Action<BinaryWriter> write)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(write);
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
        }

        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, checked((int)payload.Length));
        stream.Write(length);
        stream.Write(payload.GetBuffer(), 0, (int)payload.Length);
        stream.Flush();
    }

    /// <summary>Reads one frame; null at the end of the stream. A torn or oversized frame throws <see cref="InvalidDataException"/>.</summary>
    public static byte[]? ReadFrame(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> length = stackalloc byte[4];
        var read = stream.ReadAtLeast(length, 4, throwOnEndOfStream: false);
        if (read == 0)
        {
            return null;
        }

        if (read < 4)
        {
            throw new InvalidDataException("The stream ended inside a frame's length.");
        }

        var size = BinaryPrimitives.ReadInt32LittleEndian(length);
        if (size is < 1 or > MaxFrameBytes)
        {
            throw new InvalidDataException($"A frame of {size} bytes is not a compile frame.");
        }

        var frame = new byte[size];
        if (stream.ReadAtLeast(frame, size, throwOnEndOfStream: false) < size)
        {
            throw new InvalidDataException("The stream ended inside a frame.");
        }

        return frame;
    }

    public static void WriteCompile(BinaryWriter writer, long id, RoleFile file)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(file);
        writer.Write(CompileRequest);
        writer.Write(id);
        writer.Write(file.Path);
        writer.Write(file.Hash);
        writer.Write(file.Text);
    }

    public static void WriteCancel(BinaryWriter writer, long id)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(CancelRequest);
        writer.Write(id);
    }

    public static void WriteCompiled(BinaryWriter writer, long id, CompiledRole compiled)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(compiled);
        writer.Write(id);
        writer.Write(Compiled);
        WriteBytes(writer, compiled.Assembly);
        WriteBytes(writer, compiled.Pdb);
        writer.Write(compiled.Diagnostics.Count);
        foreach (var d in compiled.Diagnostics)
        {
            writer.Write(d.Path);
            writer.Write(d.Line);
            writer.Write(d.Column);
            writer.Write(d.EndLine);
            writer.Write(d.EndColumn);
            writer.Write((int)d.Severity);
            writer.Write(d.Code);
            writer.Write(d.Message);
            writer.Write(d.HelpUri is not null);
            if (d.HelpUri is not null)
            {
                writer.Write(d.HelpUri);
            }
        }

        writer.Write(compiled.Timings is not null);
        if (compiled.Timings is { } t)
        {
            writer.Write(t.Started);
            writer.Write(t.Parsed);
            writer.Write(t.Checked);
            writer.Write(t.Emitted);
        }
    }

    public static void WriteFailed(BinaryWriter writer, long id, string message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(id);
        writer.Write(Failed);
        writer.Write(message);
    }

    /// <summary>Reads a worker's answer for <paramref name="file"/> (whose path and hash it echoes).</summary>
    /// <returns>The compiled role, or null and the compiler's failure message.</returns>
    public static (CompiledRole? Compiled, string? Failure) ReadResult(BinaryReader reader, RoleFile file)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(file);
        var outcome = reader.ReadByte();
        if (outcome == Failed)
        {
            return (null, reader.ReadString());
        }

        if (outcome != Compiled)
        {
            throw new InvalidDataException($"Unknown compile outcome {outcome}.");
        }

        var assembly = ReadBytes(reader);
        var pdb = ReadBytes(reader);
        var count = reader.ReadInt32();
        var diagnostics = new List<RoleDiagnostic>(count);
        for (var i = 0; i < count; i++)
        {
            var (path, line, column, endLine, endColumn) = (reader.ReadString(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
            var severity = (DiagnosticSeverity)reader.ReadInt32();
            var (code, message) = (reader.ReadString(), reader.ReadString());
            var help = reader.ReadBoolean() ? reader.ReadString() : null;
            diagnostics.Add(new RoleDiagnostic(path, line, column, endLine, endColumn, severity, code, message, help));
        }

        var timings = reader.ReadBoolean() ? new CompileTimings(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64()) : null;
        return (new CompiledRole(file.Path, file.Hash, assembly, pdb, diagnostics) { Timings = timings }, null);
    }

    private static void WriteBytes(BinaryWriter writer, byte[]? bytes)
    {
        writer.Write(bytes?.Length ?? -1);
        if (bytes is not null)
        {
            writer.Write(bytes);
        }
    }

    private static byte[]? ReadBytes(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        return length switch
        {
            -1 => null,
            < 0 or > MaxFrameBytes => throw new InvalidDataException($"A length of {length} bytes is not an assembly."),
            _ => reader.ReadBytes(length) is { } bytes && bytes.Length == length ? bytes : throw new InvalidDataException("The frame ended inside an assembly."),
        };
    }
}
