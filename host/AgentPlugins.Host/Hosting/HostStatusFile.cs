using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentPlugins.Host.Hosting;

/// <summary>
/// The running host's status, as a JSON file in the data folder. The host replaces it atomically
/// (write aside, then rename), so a reader never sees half of it, and deletes it when it stops.
/// A file left by a host that died is recognised by its process id no longer running.
/// </summary>
internal static class HostStatusFile
{
    public const string FileName = "host-status.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string PathIn(string dataFolder) => Path.Combine(dataFolder, FileName);

    public static void Write(string dataFolder, HostStatus status)
    {
        Directory.CreateDirectory(dataFolder);
        var path = PathIn(dataFolder);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(status, Json));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Removes the file if this process wrote it.</summary>
    public static void Delete(string dataFolder)
    {
        var path = PathIn(dataFolder);
        if (Read(path) is { } status && status.ProcessId == Environment.ProcessId)
        {
            File.Delete(path);
        }
    }

    /// <summary>The status at <paramref name="path"/>, or null when there is none or it cannot be read.</summary>
    public static HostStatus? Read(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<HostStatus>(File.ReadAllBytes(path), Json) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>True when the process that wrote <paramref name="status"/> still runs (same id, same start time).</summary>
    public static bool IsAlive(HostStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        try
        {
            using var process = Process.GetProcessById(status.ProcessId);
            var started = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
            return !process.HasExited && (started - status.ProcessStartedAt).Duration() < TimeSpan.FromSeconds(2);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>When this process started, as <see cref="IsAlive"/> compares it.</summary>
    public static DateTimeOffset CurrentProcessStartedAt()
    {
        using var process = Process.GetCurrentProcess();
        return new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
    }
}
