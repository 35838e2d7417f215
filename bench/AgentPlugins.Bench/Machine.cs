using System.Runtime.InteropServices;

namespace AgentPlugins.Bench;

/// <summary>A line saying what machine a result was measured on.</summary>
internal static class Machine
{
    public static string Describe()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{Environment.ProcessorCount} cores ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), " +
               $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024.0):F0} GiB, {RuntimeInformation.OSDescription}, " +
               $".NET {Environment.Version}, measured {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC";
    }
}
