using System.Runtime.InteropServices;

namespace AgentPlugins.Host.Supervision;

/// <summary>
/// Ends the process at once with a given code. <see cref="Environment.Exit(int)"/> is no use here:
/// it runs the host's process-exit handlers, which wait for a shutdown that needs the stuck loop.
/// </summary>
internal static class FatalExit
{
    /// <summary>Writes <paramref name="line"/> to standard error (synchronously: the log's queue may never flush) and exits with <paramref name="code"/>.</summary>
    public static void Now(int code, string line)
    {
        try
        {
            Console.Error.WriteLine(line);
            Console.Error.Flush();
        }
        finally
        {
            if (OperatingSystem.IsWindows())
            {
                Environment.FailFast(line);
            }

            Exit(code);
        }
    }

    // DllImport, not LibraryImport: the generated form needs unsafe code for a call this plain.
    [DllImport("libc", EntryPoint = "_exit")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern void Exit(int status);
}
