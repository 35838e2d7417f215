using System.CommandLine;
using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.FrontDoor;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Supervision;
using AgentPlugins.Host.Workflows;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
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

            // A long-running host compiles in a compiler process unless told otherwise (docs/configuration.md).
            options = options.Roles.Compiler is null ? options with { Roles = options.Roles with { Compiler = RolesOptions.ProcessCompiler } } : options;
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

        // With http:enabled the host is a WebApplication (Kestrel in the same Generic Host); without, a plain one.
        WebApplicationBuilder? web = options.Http.Enabled ? WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] }) : null;
        web?.WebHost.UseKestrelCore();
        IHostApplicationBuilder builder = web is not null ? web : Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        AddSystemd(builder.Services);
        builder.Services.AddSingleton<IChannel>(new ConsoleChannel(Console.Out));
        builder.Services.AddAgentPlugins(options);
        if (Path.GetFullPath(configPath ?? "plugins.json") is var path && File.Exists(path))
        {
            builder.Services.AddRoleSettingsReload(path, overrides);
        }
        if (options.Channels.Console.Enabled)
        {
            builder.Services.AddHostedService(services => new ConsoleInput(
                services.GetRequiredService<WorkflowEngine>(),
                services.GetRequiredService<ChannelRegistry>(),
                Console.In,
                options.Channels.Console.User,
                services.GetRequiredService<ILogger<ConsoleInput>>()));
        }

        if (web is not null)
        {
            builder.Services.AddFrontDoor(options);
        }

        using IHost host = web is not null ? web.Build().MapFrontDoor() : ((HostApplicationBuilder)builder).Build();

        // Past loop:hardLimit the loop will not come back: the journal names the culprit, the process ends.
        host.Services.GetRequiredService<RoleSupervisor>().FailFast = FatalExit.Now;
        var service = host.Services.GetRequiredService<AgentPluginsService>();

        // Read before running: the host is disposed by the time a failed start reaches the catch below.
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Ctrl-C or SIGTERM while Kestrel was still binding: a requested stop, not a failure.
            return ExitCodes.Stopped;
        }
        catch (IOException ex)
        {
            // A data folder another host holds, or one that cannot be written: say so in one line.
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.StartFailed;
        }

        if (!service.Drained)
        {
            await Console.Error.WriteLineAsync($"error: the stop could not drain the loop in time; exiting with code {ExitCodes.StopTimedOut}.").ConfigureAwait(false);
            return ExitCodes.StopTimedOut;
        }

        return ExitCodes.Stopped;
    }

    // Under systemd, Microsoft.Extensions.Hosting.Systemd sends READY once every hosted service has
    // started (so after the roles loaded) and STOPPING on stop. Its version here recognises systemd
    // by the parent process only; a NOTIFY_SOCKET alone (a container runtime, a test) gets the same
    // lifetime, as later versions of the package do.
    private static void AddSystemd(IServiceCollection services)
    {
        services.AddSystemd();
        if (!SystemdHelpers.IsSystemdService() && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
        {
            services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }
    }
}
