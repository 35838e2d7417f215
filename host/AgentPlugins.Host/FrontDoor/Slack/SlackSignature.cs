using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgentPlugins.Host.FrontDoor.Slack;

/// <summary>
/// Slack's request signing, version 0: <c>X-Slack-Signature: v0=</c> hex HMAC-SHA256 of
/// <c>v0:{X-Slack-Request-Timestamp}:{raw body}</c> under the app's signing secret; a timestamp more
/// than five minutes from now is a replay and refused.
/// </summary>
internal static class SlackSignature
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"v0:{timestamp}:");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>Null when the request is Slack's and fresh; else (header, why not).</summary>
    public static (string Field, string Problem)? Check(string secret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(timestamp) || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return (TimestampHeader, "Missing or malformed: Slack sends the request's Unix time.");
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > Window.TotalSeconds)
        {
            return (TimestampHeader, "More than 5 minutes from now: a replayed or delayed request is refused.");
        }

        if (string.IsNullOrEmpty(signature))
        {
            return (SignatureHeader, "Missing: every request from Slack is signed.");
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature))
            ? null
            : (SignatureHeader, "Does not match the body under the signing secret (channels:slack:signingSecretVariable).");
    }
}
