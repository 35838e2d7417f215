using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Requests;

/// <summary>
/// One call of a role's tool by name, the way a user types it (<c>set_timer 5m label=tea</c>) or a
/// model sends it (arguments by name): finds the tool, binds the arguments through Semantic Kernel's
/// own conversion, invokes it and turns what it returned, or why it failed, into a <see cref="ToolResult"/>.
/// Direct commands on the running host, <c>host call</c> and the test kit all call tools through it,
/// so a tool binds and fails alike everywhere.
/// </summary>
internal static class ToolCall
{
    /// <summary>The tool named <paramref name="name"/> (<c>set_timer</c> or <c>SetTimer</c>, any case), or null.</summary>
    public static KernelFunction? Find(KernelPlugin plugin, string name)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentNullException.ThrowIfNull(name);
        foreach (var function in plugin)
        {
            if (SameName(function.Name, name))
            {
                return function;
            }
        }

        return null;
    }

    /// <summary>Binds positional arguments in parameter order, then <c>name=value</c> ones by name; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryBind(
        KernelFunction function,
        IReadOnlyList<string> positional,
        IReadOnlyList<KeyValuePair<string, string>> named,
        [NotNullWhen(true)] out KernelArguments? arguments,
        out string error)
    {
        ArgumentNullException.ThrowIfNull(function);
        arguments = null;
        var parameters = function.Metadata.Parameters;
        if (positional.Count > parameters.Count)
        {
            error = $"{ToolNames.Of(function)} takes {parameters.Count} argument(s) but got {positional.Count}; quote an argument that has spaces.";
            return false;
        }

        var given = new List<KeyValuePair<string, object?>>(positional.Count + named.Count);
        for (var i = 0; i < positional.Count; i++)
        {
            given.Add(new(parameters[i].Name, positional[i]));
        }

        foreach (var (name, value) in named)
        {
            given.Add(new(name, value));
        }

        return Bind(function, given, out arguments, out error);
    }

    /// <summary>Binds arguments by name, as a model sends them; names match parameters in any case.</summary>
    public static bool TryBind(
        KernelFunction function,
        IEnumerable<KeyValuePair<string, object?>> named,
        [NotNullWhen(true)] out KernelArguments? arguments,
        out string error) => Bind(function, [.. named], out arguments, out error);

    /// <summary>Invokes <paramref name="function"/> and reads its result; a tool that throws gives a failed result naming the cause, and an <see cref="ErrorIntent"/>.</summary>
    /// <param name="source"><c>role/tool</c>, for the message and the error intent.</param>
    public static async Task<ToolResult> InvokeAsync(Kernel kernel, KernelFunction function, KernelArguments arguments, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        try
        {
            var result = await function.InvokeAsync(kernel, arguments, cancellationToken).ConfigureAwait(true);
            return Read(result.GetValue<object>());
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Failed(source, ex);
        }
    }

    /// <summary>What a tool returned, as a <see cref="ToolResult"/>: itself, or any other value as text.</summary>
    public static ToolResult Read(object? value) => value switch
    {
        ToolResult tool => tool,
        null => ToolResult.Ok(string.Empty),
        var other => ToolResult.Ok(Convert.ToString(other, CultureInfo.InvariantCulture) ?? string.Empty),
    };

    /// <summary>A tool that threw: the cause in the message (not Semantic Kernel's wrapper), the whole exception in an <see cref="ErrorIntent"/>.</summary>
    public static ToolResult Failed(string source, Exception exception)
    {
        return new ToolResult(false, $"Tool {source} failed: {ToolFailure.Describe(exception)}", [new ErrorIntent(source, ToolFailure.Message(exception), exception.ToString())]);
    }

    private static bool Bind(KernelFunction function, List<KeyValuePair<string, object?>> given, [NotNullWhen(true)] out KernelArguments? arguments, out string error)
    {
        arguments = null;
        var parameters = function.Metadata.Parameters;
        var bound = new KernelArguments();
        for (var i = 0; i < given.Count; i++)
        {
            var (name, value) = given[i];
            var parameter = ParameterNamed(parameters, name);
            if (parameter is null)
            {
                error = $"{ToolNames.Of(function)} has no parameter '{name}'. Its parameters: {(parameters.Count == 0 ? "none" : string.Join(", ", parameters.Select(p => p.Name)))}.";
                return false;
            }

            if (bound.ContainsName(parameter.Name))
            {
                error = $"Parameter '{parameter.Name}' is given twice.";
                return false;
            }

            bound[parameter.Name] = value;
        }

        var missing = Missing(parameters, bound);
        if (missing.Count > 0)
        {
            error = $"Missing argument {string.Join(", ", missing.Select(m => $"'{m}'"))}.";
            return false;
        }

        arguments = bound;
        error = string.Empty;
        return true;
    }

    /// <summary>The parameter named <paramref name="name"/> in any case, or null. A loop, not LINQ: it runs on every tool call, on the loop.</summary>
    public static KernelParameterMetadata? ParameterNamed(IReadOnlyList<KernelParameterMetadata> parameters, string name)
    {
        for (var i = 0; i < parameters.Count; i++)
        {
            if (string.Equals(parameters[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return parameters[i];
            }
        }

        return null;
    }

    private static List<string> Missing(IReadOnlyList<KernelParameterMetadata> parameters, KernelArguments bound)
    {
        List<string>? missing = null;
        for (var i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].IsRequired && !bound.ContainsName(parameters[i].Name))
            {
                (missing ??= []).Add(parameters[i].Name);
            }
        }

        return missing ?? [];
    }

    // set_timer, SetTimer and SETTIMER name one tool: compared without underscores, in any case (and without allocating).
    private static bool SameName(string a, string b)
    {
        int i = 0, j = 0;
        while (true)
        {
            while (i < a.Length && a[i] == '_')
            {
                i++;
            }

            while (j < b.Length && b[j] == '_')
            {
                j++;
            }

            if (i == a.Length || j == b.Length)
            {
                return i == a.Length && j == b.Length;
            }

            if (char.ToUpperInvariant(a[i++]) != char.ToUpperInvariant(b[j++]))
            {
                return false;
            }
        }
    }
}
