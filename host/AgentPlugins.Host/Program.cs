using System.CommandLine;
using AgentPlugins.Host.Commands;

var root = new RootCommand("AgentPlugins host: hot-reloadable single-file C# roles for LLM agents.")
{
    RunCommand.Create(),
    RolesCommand.Create(),
};

// Microsoft.Extensions.Hosting handles Ctrl-C and SIGTERM itself (drain, then exit 0).
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await root.Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
