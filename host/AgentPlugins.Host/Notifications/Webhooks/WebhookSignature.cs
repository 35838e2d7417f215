using System.Security.Cryptography;
using System.Text;

namespace AgentPlugins.Host.Notifications.Webhooks;

/// <summary>The <c>X-AgentPlugins-Signature</c> header: <c>sha256=</c> and the hex HMAC-SHA256 of the body under the webhook's secret.</summary>
internal static class WebhookSignature
{
    public const string Header = "X-AgentPlugins-Signature";

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>How a receiver checks a delivery: in constant time, against the raw body.</summary>
    public static bool Verify(string secret, ReadOnlySpan<byte> body, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, body)), Encoding.ASCII.GetBytes(header));
}
