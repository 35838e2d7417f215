using Microsoft.AspNetCore.Http;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>What a user name may be: a non-empty word of at most 128 characters without control characters.</summary>
internal static class UserName
{
    public const int MaxLength = 128;

    /// <summary>Null when <paramref name="user"/> is fine; else the problem naming <paramref name="field"/>.</summary>
    public static IResult? Check(string? user, string field = "user")
    {
        if (string.IsNullOrWhiteSpace(user))
        {
            return Problems.BadField(field, $"'{field}' is required: who is asking (their notifications come back to them).");
        }

        if (user.Length > MaxLength || user.Any(char.IsControl))
        {
            return Problems.BadField(field, $"'{field}' must be at most {MaxLength} characters, without control characters.");
        }

        return null;
    }
}
