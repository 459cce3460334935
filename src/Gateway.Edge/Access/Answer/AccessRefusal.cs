using Gateway.Contracts;
using Gateway.Registry.Access;
using Gateway.Registry.Errors;

namespace Gateway.Edge.Access.Answer;

/// <summary>
/// A refusal as a value: what to count and audit, and everything the answer carries. Made by
/// <see cref="AccessRefusals"/>, written only by <see cref="AccessAnswers"/> (for <c>/v2/</c> and <c>/token</c> alike).
/// </summary>
/// <param name="Outcome">The audit and metric outcome.</param>
/// <param name="Error">Status, code, message and detail, in the registry's JSON error format.</param>
/// <param name="Reason">A few words for the audit event.</param>
public sealed record AccessRefusal(AccessOutcome Outcome, RegistryError Error, string Reason)
{
    /// <summary>The challenge the answer carries.</summary>
    public ChallengeKind Challenge { get; init; }

    /// <summary>A Bearer challenge's <c>error</c> (<c>invalid_token</c>, <c>insufficient_scope</c>), or null.</summary>
    public string? BearerError { get; init; }

    /// <summary>True when the Bearer challenge also carries the message as <c>error_description</c> (docker prints it).</summary>
    public bool DescribeInChallenge { get; init; }

    /// <summary>The <c>Retry-After</c> seconds, or null.</summary>
    public long? RetryAfterSeconds { get; init; }

    /// <summary>The <c>Location</c> of a login check's 303, or null.</summary>
    public string? Location { get; init; }

    /// <summary>The pull budget to report in <c>ratelimit-*</c> headers, or null.</summary>
    public PullBudget? Pulls { get; init; }

    /// <summary>Which limit refused, for <c>gateway_rate_limit_rejections_total{limit}</c>: <c>pulls</c>, <c>requests</c>, or null.</summary>
    public string? LimitName { get; init; }
}
