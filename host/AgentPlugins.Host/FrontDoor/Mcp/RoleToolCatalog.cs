using System.Text.Json;
using System.Text.Json.Nodes;
using AgentPlugins.Host.Requests;
using AgentPlugins.Host.Roles;
using Microsoft.SemanticKernel;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentPlugins.Host.FrontDoor.Mcp;

/// <summary>
/// The serving roles' tools as one MCP tool collection, named <c>role-tool</c> as the model sees them,
/// kept in step with <see cref="RoleLifecycle.Changes"/>: a role that starts serving adds its tools,
/// a quarantined, failed or retired one takes them away, and a save that changes a tool (name,
/// description, parameters) replaces it. Each change of the collection is one
/// <c>notifications/tools/list_changed</c> to every connected session; a save that changes no tool sends none.
/// </summary>
internal sealed class RoleToolCatalog : IDisposable
{
    private readonly RoleLifecycle _roles;
    private readonly RoleToolCalls _calls;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (RoleTool Tool, string Definition)> _current = new(StringComparer.Ordinal);
    private readonly IDisposable _subscription;
    private int _pending;

    public RoleToolCatalog(RoleLifecycle roles, RoleToolCalls calls)
    {
        _roles = roles;
        _calls = calls;
        _subscription = roles.Changes.Subscribe(new ChangeObserver(this));
        Refresh();
    }

    /// <summary>The collection every <c>/mcp</c> session lists and calls.</summary>
    public McpServerPrimitiveCollection<McpServerTool> Tools { get; } = new();

    public void Dispose() => _subscription.Dispose();

    /// <summary>Brings <see cref="Tools"/> in line with the roles serving now (from any thread but the loop).</summary>
    public void Refresh()
    {
        var wanted = new Dictionary<string, (string Role, string Tool, Tool Definition, string Json)>(StringComparer.Ordinal);
        foreach (var (role, plugin) in _roles.Tools)
        {
            // A quarantined generation stays in the tool table until the loop unlists it; its guard is gone at once.
            if (_roles.GuardOf(role) is null)
            {
                continue;
            }

            foreach (var function in plugin)
            {
                var tool = ToolNames.Of(function);
                var definition = Define(plugin.Name, tool, function);
                wanted[definition.Name] = (plugin.Name, tool, definition, JsonSerializer.Serialize(definition, McpJsonUtilities.DefaultOptions));
            }
        }

        lock (_gate)
        {
            using var batch = Tools.DeferChangedEvents();
            foreach (var name in _current.Keys.Where(name => !wanted.ContainsKey(name)).ToList())
            {
                Tools.Remove(_current[name].Tool);
                _current.Remove(name);
            }

            foreach (var (name, want) in wanted)
            {
                if (_current.TryGetValue(name, out var have))
                {
                    if (have.Definition == want.Json)
                    {
                        continue;
                    }

                    Tools.Remove(have.Tool);
                }

                var tool = new RoleTool(want.Role, want.Tool, want.Definition, _calls);
                Tools.Add(tool);
                _current[name] = (tool, want.Json);
            }
        }
    }

    // The JSON schema Semantic Kernel gives the model for each parameter, gathered into one object schema.
    private static Tool Define(string role, string tool, KernelFunction function)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var parameter in function.Metadata.Parameters)
        {
            var schema = parameter.Schema is { } known ? JsonNode.Parse(known.RootElement.GetRawText())!.AsObject() : new JsonObject { ["type"] = "string" };
            if (!string.IsNullOrEmpty(parameter.Description) && !schema.ContainsKey("description"))
            {
                schema["description"] = parameter.Description;
            }

            properties[parameter.Name] = schema;
            if (parameter.IsRequired)
            {
                required.Add(parameter.Name);
            }
        }

        var input = new JsonObject { ["type"] = "object", ["properties"] = properties };
        if (required.Count > 0)
        {
            input["required"] = required;
        }

        return new Tool
        {
            Name = $"{role}-{tool}",
            Description = function.Description,
            InputSchema = JsonSerializer.SerializeToElement(input, McpJsonUtilities.DefaultOptions),
        };
    }

    // Changes are told on the loop (inside a load or a swap): the catalog is rebuilt on the thread pool, never there.
    // Changes that come while a rebuild is pending are folded into it; the snapshots it reads are safe from any thread.
    private void RefreshSoon()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _ = Task.Run(() =>
            {
                Volatile.Write(ref _pending, 0);
                Refresh();
            });
        }
    }

    private sealed class ChangeObserver(RoleToolCatalog catalog) : IObserver<GenerationChanged>
    {
        public void OnNext(GenerationChanged value)
        {
            if (value.State is GenerationState.Serving or GenerationState.Quarantined or GenerationState.Draining or GenerationState.Withdrawn or GenerationState.Refused)
            {
                catalog.RefreshSoon();
            }
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}
