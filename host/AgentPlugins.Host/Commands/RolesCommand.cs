using System.CommandLine;
using System.Globalization;
using System.Text;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting;

namespace AgentPlugins.Host.Commands;

/// <summary>
/// <c>host roles</c>: what the running host serves. Reads the status file the host keeps in its data
/// folder and checks the host is still alive; with no host running it says so and exits 1.
/// </summary>
internal static class RolesCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "plugins.json of the host (default: ./plugins.json if present, else embedded defaults)" };
        var data = new Option<string?>("--data") { Description = "The host's data folder (overrides storage:dataFolder)" };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON" };
        var command = new Command("roles", "Show the roles of the running host: generation, state, last error, source, loaded at, generations in memory.") { config, data, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>();
            if (result.GetValue(data) is { } dataFolder)
            {
                overrides["storage:dataFolder"] = Path.GetFullPath(dataFolder);
            }

            AgentPluginsOptions options;
            try
            {
                (options, _) = OptionsLoader.Load(result.GetValue(config), overrides);
            }
            catch (ConfigurationException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return 1;
            }

            var path = HostStatusFile.PathIn(options.Storage.DataFolder);
            var status = HostStatusFile.Read(path);
            if (status is null)
            {
                await Console.Error.WriteLineAsync($"error: no host is running (no status at {path}). Start one with `host run`.").ConfigureAwait(false);
                return 1;
            }

            if (!HostStatusFile.IsAlive(status))
            {
                await Console.Error.WriteLineAsync($"error: no host is running: the host that wrote {path} (pid {status.ProcessId}) has ended.").ConfigureAwait(false);
                return 1;
            }

            await Console.Out.WriteAsync(result.GetValue(json)
                ? File.ReadAllText(path) + Environment.NewLine
                : Format(status)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>The status as a table, with each failed role's errors under it.</summary>
    public static string Format(HostStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"host pid {status.ProcessId}, roles from {status.RolesFolder}; retired generations: {status.Unloaded} unloaded, {status.Leaked} leaked");
        if (status.Roles.Count == 0)
        {
            text.AppendLine("no role files");
            return text.ToString();
        }

        var rows = status.Roles.Select(r => new[]
        {
            r.Name ?? "-",
            r.Generation.ToString(culture),
            r.State == "failed" && r.Generation > 0 ? "serving, last save failed" : r.State,
            r.LoadedAt?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", culture) ?? "-",
            r.GenerationsInMemory.ToString(culture),
            r.Leaked.ToString(culture),
            r.Path,
        }).ToList();
        string[] header = ["ROLE", "GEN", "STATE", "LOADED AT", "IN MEMORY", "LEAKED", "SOURCE"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        void Row(string[] cells) => text.AppendLine(string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))));
        Row(header);
        foreach (var (row, role) in rows.Zip(status.Roles))
        {
            Row(row);
            foreach (var error in role.LastErrors)
            {
                text.Append("    ").AppendLine(error);
            }
        }

        return text.ToString();
    }
}
