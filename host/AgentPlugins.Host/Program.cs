using System.CommandLine;
using AgentPlugins.Host.Commands;

var root = new RootCommand("AgentPlugins host: hot-reloadable single-file C# roles for LLM agents.")
{
    RunCommand.Create(),
};

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
