using System.Net.Http.Headers;
using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.FrontDoor;
using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Tests.FrontDoor;

/// <summary>
/// The host as <c>host run</c> composes it (runtime, its hosted service, the front door), in this
/// process, on real Kestrel at 127.0.0.1 on a free port, over a roles and data folder that outlive
/// it so a test can restart the host on them.
/// </summary>
internal sealed class FrontDoorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FrontDoorHost(WebApplication app, Uri address, string? token)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public EventLoop Loop => _app.Services.GetRequiredService<EventLoop>();

    public RoleLifecycle Roles => _app.Services.GetRequiredService<RoleLifecycle>();

    public IServiceProvider Services => _app.Services;

    /// <summary>Options for a host on <paramref name="folder"/> with the sample timer role in its roles folder.</summary>
    public static AgentPluginsOptions Options(TempFolder folder, Func<HttpOptions, HttpOptions>? http = null)
    {
        var roles = Path.Combine(folder.Path, "roles");
        if (!File.Exists(Path.Combine(roles, "timer.cs")))
        {
            folder.Write("roles/timer.cs", File.ReadAllText(Repository.SampleRole("timer.cs")));
        }

        var options = new AgentPluginsOptions
        {
            Roles = new RolesOptions { Folder = roles, Watch = false },
            Storage = new StorageOptions { DataFolder = Path.Combine(folder.Path, "data") },
            Http = new HttpOptions { Urls = "http://127.0.0.1:0" },
        };
        return options with { Http = http?.Invoke(options.Http) ?? options.Http };
    }

    /// <param name="token">The bearer token the client sends and, when <paramref name="tokenVariable"/> is set, the host requires.</param>
    public static async Task<FrontDoorHost> StartAsync(AgentPluginsOptions options, string? token = null, string? tokenVariable = null, TimeProvider? clock = null)
    {
        if (tokenVariable is not null)
        {
            Environment.SetEnvironmentVariable(tokenVariable, token);
            options = options with { Http = options.Http with { TokenVariable = tokenVariable } };
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(clock ?? TimeProvider.System);
        builder.Services.AddSingleton<IChannel>(new RecordingChannel());
        builder.Services.AddAgentPlugins(options);
        builder.Services.AddFrontDoor(options);
        var app = builder.Build().MapFrontDoor();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FrontDoorHost(app, new Uri(address), token);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
