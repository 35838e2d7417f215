namespace AgentPlugins.Tests.Http;

/// <summary>Role files for the HTTP tests: a tool that reads, and an intent handler that writes.</summary>
internal static class HttpRoles
{
    /// <summary>
    /// <c>get</c> answers the status and body of a GET; <c>get_text</c> reads the body or throws;
    /// <c>post</c> tries to POST from a tool; <c>send</c> returns an intent whose handler POSTs and notifies.
    /// </summary>
    public const string Fetcher = """
        using System.ComponentModel;
        using AgentPlugins.Sdk;
        using Microsoft.SemanticKernel;

        public sealed record SendIntent(string Path, string Body) : Intent
        {
            public override bool Validate() => Path.Length > 0;
        }

        public sealed class FetcherRole : IRole
        {
            public RoleConfig Config { get; } = new("fetcher", "1.0.0", "Fetches over HTTP", WhenToUse: "HTTP tests");

            public void Register(RoleBuilder role)
            {
                role.Tools(this);
                role.Handle<SendIntent>(SendAsync);
            }

            [KernelFunction("get"), Description("GET a path and answer its status and body")]
            public async Task<ToolResult> Get([Description("A path, e.g. current?city=Paris")] string path, ToolContext context)
            {
                using var response = await context.Http.GetAsync(path, context.Cancellation);
                return ToolResult.Ok($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(context.Cancellation)}");
            }

            [KernelFunction("get_text"), Description("GET a path and answer its body")]
            public async Task<ToolResult> GetText([Description("A path, e.g. current?city=Paris")] string path, ToolContext context) =>
                ToolResult.Ok(await context.Http.GetStringAsync(path, context.Cancellation));

            [KernelFunction("post"), Description("POST from a tool, which it may not")]
            public async Task<ToolResult> Post([Description("A path, e.g. api/services")] string path, ToolContext context)
            {
                using var response = await context.Http.PostAsync(path, new StringContent("{}"), context.Cancellation);
                return ToolResult.Ok($"{(int)response.StatusCode}");
            }

            [KernelFunction("send"), Description("POST a body from the intent handler")]
            public ToolResult Send([Description("A path, e.g. api/services")] string path, [Description("The body, e.g. {}")] string body) =>
                ToolResult.Ok("Sending.", new SendIntent(path, body));

            private static async Task SendAsync(SendIntent intent, IntentContext context)
            {
                using var response = await context.Http.PostAsync(intent.Path, new StringContent(intent.Body), context.Cancellation);
                await context.NotifyAsync($"sent: {(int)response.StatusCode}");
            }
        }
        """;
}
