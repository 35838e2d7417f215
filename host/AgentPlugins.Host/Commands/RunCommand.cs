using System.CommandLine;
using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace AgentPlugins.Host.Commands;

/// <summary><c>host run</c>: the service. Loads the roles folder and serves until Ctrl-C or SIGTERM.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "plugins.json to read (default: ./plugins.json if present, else embedded defaults)" };
        var roles = new Option<string?>("--roles") { Description = "Roles folder (overrides roles:folder)" };
        var data = new Option<string?>("--data") { Description = "Data folder for SQLite files (overrides storage:dataFolder)" };
        var command = new Command("run", "Run the host: load roles, serve requests and events until stopped.") { config, roles, data };
        command.SetAction((result, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>();
            if (result.GetValue(roles) is { } rolesFolder)
            {
                overrides["roles:folder"] = Path.GetFullPath(rolesFolder);
            }

            if (result.GetValue(data) is { } dataFolder)
            {
                overrides["storage:dataFolder"] = Path.GetFullPath(dataFolder);
            }

            return RunAsync(result.GetValue(config), overrides, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(string? configPath, Dictionary<string, string?> overrides, CancellationToken cancellationToken)
    {
        AgentPluginsOptions options;
        try
        {
            (options, _) = OptionsLoader.Load(configPath, overrides);
        }
        catch (ConfigurationException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        try
        {
            // A damaged or foreign data file, or a second host on the folder: one line, not a hosting failure's stack trace.
            DataFolderCheck.Run(options);
        }
        catch (StorageException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Services.AddSystemd();
        builder.Services.AddSingleton<IChannel>(new ConsoleChannel(Console.Out));
        builder.Services.AddAgentPlugins(options);
        if (options.Channels.Console.Enabled)
        {
            builder.Services.AddHostedService(services => new ConsoleInput(
                services.GetRequiredService<WorkflowEngine>(),
                services.GetRequiredService<ChannelRegistry>(),
                Console.In,
                options.Channels.Console.User,
                services.GetRequiredService<ILogger<ConsoleInput>>()));
        }

        using var host = builder.Build();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // A data folder another host holds, or one that cannot be written: say so in one line.
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }
}
