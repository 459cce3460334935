using System.Security.Cryptography;

namespace Gateway.Grains;

/// <summary>
/// The last credential an edge verified for a user: its keyed fingerprint (never the password), how long it is answered
/// from memory, how much longer it still counts while its identity source is down, and the labels the source gave.
/// </summary>
internal sealed class CachedCredential(byte[] fingerprint, DateTimeOffset until, DateTimeOffset graceUntil, IReadOnlyDictionary<string, string[]>? labels)
{
    /// <summary>The labels to answer with.</summary>
    public IReadOnlyDictionary<string, string[]>? Labels { get; } = labels;

    /// <summary>When it stops being answered from memory.</summary>
    public DateTimeOffset Until { get; } = until;

    /// <summary>True when <paramref name="candidate"/> is this credential and it is still fresh at <paramref name="now"/>.</summary>
    public bool Answers(byte[] candidate, DateTimeOffset now) => now < Until && Matches(candidate);

    /// <summary>True when <paramref name="candidate"/> is this credential and its source's outage grace holds at <paramref name="now"/>.</summary>
    public bool CoversOutage(byte[] candidate, DateTimeOffset now) => now < graceUntil && Matches(candidate);

    /// <summary>True while it is worth keeping (fresh or within its grace).</summary>
    public bool IsLive(DateTimeOffset now) => now < graceUntil || now < Until;

    private bool Matches(byte[] candidate) => CryptographicOperations.FixedTimeEquals(fingerprint, candidate);
}
