using Gateway.Contracts;
using Gateway.Registry.Policies;

namespace Gateway.Grains;

/// <summary>
/// One principal's request and pull windows (a user's or a machine account's), in memory: a silo loss restarts them.
/// Every call is one synchronous step of the owning grain's turn, so the counts are exact however requests race.
/// </summary>
internal sealed class RateBudget
{
    private RateWindow _requests;
    private RateWindow _pulls;

    /// <summary>
    /// Counts one request of <paramref name="kind"/>: allowed (with the pull budget on manifest requests when a pull
    /// limit is set) or rate limited. A <c>HEAD</c> of a manifest reports the pull budget without spending it.
    /// </summary>
    public CredentialDecision Apply(RequestKind kind, RateLimitOptions limits, DateTimeOffset now, bool cacheHit = false, bool coalesced = false)
    {
        PullBudget? pulls = null;
        if (kind != RequestKind.Other && limits.Pulls.IsLimited)
        {
            var peek = RateLimitPolicy.Peek(_pulls, limits.Pulls, now);
            if (kind == RequestKind.ManifestGet && peek.Remaining == 0)
            {
                return Refused(DenialReason.PullLimit, peek, new PullBudget { Limit = peek.Limit, Remaining = 0, Window = peek.Window });
            }

            pulls = new PullBudget { Limit = peek.Limit, Remaining = peek.Remaining, Window = peek.Window };
        }

        if (limits.Requests.IsLimited)
        {
            var lease = RateLimitPolicy.TryAcquire(ref _requests, limits.Requests, now);
            if (!lease.Acquired)
            {
                return Refused(DenialReason.RequestLimit, lease, pulls);
            }
        }

        if (kind == RequestKind.ManifestGet && limits.Pulls.IsLimited)
        {
            var lease = RateLimitPolicy.TryAcquire(ref _pulls, limits.Pulls, now);
            pulls = new PullBudget { Limit = lease.Limit, Remaining = lease.Remaining, Window = lease.Window };
        }

        return new CredentialDecision { Outcome = CredentialOutcome.Allowed, CacheHit = cacheHit, Coalesced = coalesced, Pulls = pulls };
    }

    /// <summary>Requests left in the current window, when a request limit is set.</summary>
    public int? RequestsRemaining(RateLimitOptions limits, DateTimeOffset now) =>
        limits.Requests.IsLimited ? RateLimitPolicy.Peek(_requests, limits.Requests, now).Remaining : null;

    /// <summary>Pulls left in the current window, when a pull limit is set.</summary>
    public int? PullsRemaining(RateLimitOptions limits, DateTimeOffset now) =>
        limits.Pulls.IsLimited ? RateLimitPolicy.Peek(_pulls, limits.Pulls, now).Remaining : null;

    private static CredentialDecision Refused(DenialReason reason, RateLimitLease lease, PullBudget? pulls) => new()
    {
        Outcome = CredentialOutcome.RateLimited,
        Reason = reason,
        RetryAfter = lease.ResetsIn,
        Limit = lease.Limit,
        Window = lease.Window,
        Pulls = pulls,
    };
}
