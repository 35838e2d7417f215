using System.Threading.RateLimiting;
using AgentPlugins.Host.Configuration;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>
/// ASP.NET Core's token-bucket rate limiter, partitioned by user. Applied where the user is known
/// (after the body names it), so one chatty user cannot starve the others.
/// </summary>
internal sealed class UserRateLimiter : IDisposable
{
    // Made at the first request: the partitioned limiter ticks ten times a second from the moment it
    // exists, and a host nobody has asked anything yet should not be woken for it.
    private readonly Lazy<PartitionedRateLimiter<string>> _limiter;

    public UserRateLimiter(RateLimitOptions options) =>
        _limiter = new(() => PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetTokenBucketLimiter(user, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Burst,
            TokensPerPeriod = options.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        })));

    /// <summary>Takes one permit for <paramref name="user"/>; false with how long to wait when none is left.</summary>
    public bool TryAcquire(string user, out TimeSpan retryAfter)
    {
        using var lease = _limiter.Value.AttemptAcquire(user);
        if (lease.IsAcquired)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        return false;
    }

    public void Dispose()
    {
        if (_limiter.IsValueCreated)
        {
            _limiter.Value.Dispose();
        }
    }
}
