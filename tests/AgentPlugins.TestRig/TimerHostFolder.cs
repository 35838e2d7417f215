namespace AgentPlugins.Tests.Support;

/// <summary>A folder for a real <c>bin/host</c>: the sample timer role, UTC, many timers per user, console user ann.</summary>
internal static class TimerHostFolder
{
    public const string Config = """
        {
          "roles": { "folder": "roles" },
          "storage": { "dataFolder": "data" },
          "timers": { "timeZone": "UTC", "maxPerUser": 100000 },
          "channels": { "console": { "enabled": true, "user": "ann" } }
        }
        """;

    /// <summary>Writes roles/timer.cs and plugins.json into <paramref name="folder"/>; returns the plugins.json path.</summary>
    public static string Write(TempFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        folder.Write("roles/timer.cs", File.ReadAllText(Repository.SampleRole("timer.cs")));
        return folder.Write("plugins.json", Config);
    }
}
