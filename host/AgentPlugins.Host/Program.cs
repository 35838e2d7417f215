using System.CommandLine;
using AgentPlugins.Host.Commands;

var root = new RootCommand("AgentPlugins host: hot-reloadable single-file C# roles for LLM agents.")
{
    RunCommand.Create(),
    RolesCommand.Create(),
    ValidateCommand.Create(),
    CallCommand.Create(),
    ReplCommand.Create(),
    NewCommand.Create(),
    CompileWorkerCommand.Create(),
};

// A usage error (unknown option, bad value, missing argument) exits 2, like most CLIs, so scripts can
// tell it from a command that ran and failed (1).
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        await Console.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
    }

    await Console.Error.WriteLineAsync("Run 'host --help' or 'host COMMAND --help' for usage.").ConfigureAwait(false);
    return 2;
}

// Microsoft.Extensions.Hosting handles Ctrl-C and SIGTERM itself (drain, then exit 0).
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await parsed.InvokeAsync(invocation).ConfigureAwait(false);
