using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentPlugins.Tests.Agents;

/// <summary>
/// A loopback HTTP server that speaks the OpenAI chat-completions protocol with scripted replies, so
/// tests run the real Semantic Kernel connector over real HTTP. Replies come from a queue, in request
/// order, or from a function of the request; every request is recorded.
/// </summary>
internal sealed class ScriptedModelServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Func<ModelRequest, ScriptedReply>> _script = new();
    private readonly ConcurrentQueue<ModelRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private int _callIds;

    public ScriptedModelServer()
    {
        // HttpListener cannot pick a free port itself: ask the OS for one, then listen on it. Tests run
        // in parallel, so another server may take the port in between; then try the next free one.
        for (var attempt = 1; ; attempt++)
        {
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
            }

            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                _listener.Prefixes.Clear();
            }
        }

        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>The OpenAI-compatible base address: <c>http://127.0.0.1:PORT/v1</c>.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}/v1";

    /// <summary>Used when the queue is empty; by default a 500 that names the missing script.</summary>
    public Func<ModelRequest, ScriptedReply>? Fallback { get; set; }

    public IReadOnlyList<ModelRequest> Requests => [.. _requests];

    /// <summary>The model ids <c>GET /v1/models</c> lists; empty answers 404, like a server that does not list them.</summary>
    public IReadOnlyList<string> Models { get; set; } = [];

    public void Enqueue(params ScriptedReply[] replies)
    {
        foreach (var reply in replies)
        {
            _script.Enqueue(_ => reply);
        }
    }

    public void Enqueue(Func<ModelRequest, ScriptedReply> reply) => _script.Enqueue(reply);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serving;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
            // The listener was stopped under a pending GetContextAsync.
        }

        _listener.Close();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            if (context.Request.HttpMethod == "GET" && context.Request.Url!.AbsolutePath.EndsWith("/models", StringComparison.Ordinal))
            {
                await ListModelsAsync(context);
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var request = ModelRequest.Parse(context.Request.Url!.AbsolutePath, body);
            _requests.Enqueue(request);
            var reply = _script.TryDequeue(out var next) ? next(request)
                : Fallback?.Invoke(request) ?? ScriptedReply.Status(500, $"no scripted reply for request {_requests.Count}");
            if (reply.Delay > TimeSpan.Zero)
            {
                await Task.Delay(reply.Delay, _stop.Token);
            }

            if (reply.Gate is not null)
            {
                await reply.Gate.WaitAsync(_stop.Token);
            }

            var bytes = Encoding.UTF8.GetBytes(reply.StatusCode == 200 ? Completion(request, reply) : JsonSerializer.Serialize(new { error = new { message = reply.Content, type = "scripted" } }));
            context.Response.StatusCode = reply.StatusCode;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, _stop.Token);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException or IOException)
        {
            // The client gave up (a timeout under test) or the server is stopping.
        }
    }

    private async Task ListModelsAsync(HttpListenerContext context)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { @object = "list", data = Models.Select(id => new { id, @object = "model" }) }));
        context.Response.StatusCode = Models.Count == 0 ? 404 : 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes, _stop.Token);
        context.Response.Close();
    }

    private string Completion(ModelRequest request, ScriptedReply reply)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = reply.ToolCalls.Count == 0 ? reply.Content : null };
        if (reply.ToolCalls.Count > 0)
        {
            var calls = new JsonArray();
            foreach (var (name, arguments) in reply.ToolCalls)
            {
                calls.Add(new JsonObject
                {
                    ["id"] = $"call_{Interlocked.Increment(ref _callIds)}",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
                });
            }

            message["tool_calls"] = calls;
        }

        var completion = new JsonObject
        {
            ["id"] = $"chatcmpl-{_requests.Count}",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = request.Model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["finish_reason"] = reply.ToolCalls.Count > 0 ? "tool_calls" : "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 1, ["completion_tokens"] = 1, ["total_tokens"] = 2 },
        };
        return completion.ToJsonString();
    }
}

/// <summary>One chat-completions request as the server saw it.</summary>
internal sealed record ModelRequest(string Path, string Model, IReadOnlyList<(string Role, string Content)> Messages, IReadOnlyList<string> Tools)
{
    public string System => Messages.FirstOrDefault(m => m.Role == "system").Content ?? string.Empty;

    public string LastUser => Messages.LastOrDefault(m => m.Role == "user").Content ?? string.Empty;

    public IEnumerable<string> ToolResults => Messages.Where(m => m.Role == "tool").Select(m => m.Content);

    /// <summary>True for a request that carries a tool's result (the model is to answer now).</summary>
    public bool AfterTool => Messages.Count > 0 && Messages[^1].Role == "tool";

    public string AllText => string.Join("\n", Messages.Select(m => m.Content));

    /// <summary>The request body as sent.</summary>
    public string Body { get; private init; } = string.Empty;

    /// <summary>The JSON schema of each offered tool's parameters, by tool name, as the model would read it.</summary>
    public IReadOnlyDictionary<string, string> ToolSchemas { get; private init; } = new Dictionary<string, string>();

    public static ModelRequest Parse(string path, string body)
    {
        var root = JsonNode.Parse(body)!;
        var messages = root["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), Text(m["content"]))).ToList();
        var tools = root["tools"]?.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).ToList() ?? [];
        var schemas = root["tools"]?.AsArray().ToDictionary(t => t!["function"]!["name"]!.GetValue<string>(), t => t!["function"]!["parameters"]?.ToJsonString() ?? string.Empty)
            ?? [];
        return new ModelRequest(path, root["model"]?.GetValue<string>() ?? string.Empty, messages, tools) { ToolSchemas = schemas, Body = body };
    }

    // Content is a string, or an array of parts with text.
    private static string Text(JsonNode? content) => content switch
    {
        null => string.Empty,
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? string.Empty)),
        _ => content.GetValue<string>(),
    };
}

/// <summary>What the server answers to one request.</summary>
internal sealed record ScriptedReply(int StatusCode, string Content, IReadOnlyList<(string Name, string Arguments)> ToolCalls)
{
    public TimeSpan Delay { get; init; }

    /// <summary>When set, the answer waits until the test releases it.</summary>
    public SemaphoreSlim? Gate { get; init; }

    public static ScriptedReply Text(string content) => new(200, content, []);

    public static ScriptedReply Route(string route, double confidence, string parameters = "{}") =>
        Text($$"""{"route": "{{route}}", "confidence": {{confidence.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, "parameters": {{parameters}}}""");

    public static ScriptedReply Call(string tool, string arguments = "{}") => new(200, string.Empty, [(tool, arguments)]);

    public static ScriptedReply Status(int code, string message = "scripted failure") => new(code, message, []);
}
