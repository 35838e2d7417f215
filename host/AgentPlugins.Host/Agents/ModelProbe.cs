using System.Text.Json;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// Asks each configured provider, at start-up, for its models (<c>GET {endpoint}/models</c>, which
/// OpenAI-compatible servers answer) so an endpoint that cannot be reached or a tier whose model the
/// server does not offer is reported before the first request, naming the key. A server that does not
/// list models is not an error: requests will tell.
/// </summary>
internal static class ModelProbe
{
    public static async Task<IReadOnlyList<string>> CheckAsync(ModelTiers tiers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        using var http = new HttpClient { Timeout = timeout };
        var problems = new List<string>();
        foreach (var provider in tiers.All.GroupBy(t => t.ProviderName))
        {
            var first = provider.First();
            var models = await ListAsync(http, first, cancellationToken).ConfigureAwait(false);
            if (models.Error is not null)
            {
                problems.Add(models.Error);
                continue;
            }

            if (models.Ids is not { Count: > 0 } offered)
            {
                continue;
            }

            problems.AddRange(provider
                .Where(tier => !offered.Contains(tier.Model))
                .Select(tier => $"'{tier.Key}:model' is '{tier.Model}', which the server at {tier.EndpointKey} does not offer (it offers: {string.Join(", ", offered.Order(StringComparer.Ordinal))})."));
        }

        return problems;
    }

    private static async Task<(HashSet<string>? Ids, string? Error)> ListAsync(HttpClient http, ModelTier tier, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(tier.Endpoint.ToString().TrimEnd('/') + "/models"));
        if (!string.IsNullOrEmpty(tier.ApiKey))
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tier.ApiKey);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, null);
            }

            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                return (null, null);
            }

            return ([.. data.EnumerateArray()
                .Select(model => model.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null)
                .OfType<string>()], null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"Cannot reach the model server at {tier.EndpointKey} ({tier.Endpoint}): {(ex is TaskCanceledException ? $"no answer within {http.Timeout.TotalSeconds:0.#} s" : ex.Message)}.");
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
