using System.Diagnostics;
using Gateway.Contracts;
using Gateway.Edge.Access.Answer;
using Gateway.Edge.Access.Identify;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Admit;

/// <summary>
/// Admission of requests that need no credential check, one grain call each: a token the gateway issued (revocation,
/// the address block, the rate limits; for refresh grants the locks too) and anonymous clients (the rate limits of
/// their address). Password-like credentials are admitted by the same grain call that checks them
/// (<see cref="Identify.Passwords.GrainCachedPasswords"/>).
/// </summary>
public sealed class GrainAdmission(BoundedGrainCalls calls, IOptions<AuthOptions> auth, TimeProvider time)
{
    /// <summary>
    /// Admits a request carrying a token issued to <paramref name="subject"/> at <paramref name="issuedAt"/>
    /// (<paramref name="isGrant"/>: a refresh grant, which locks refuse too): the identity, or a refusal
    /// (<paramref name="revoked"/> when its tokens were revoked since, a lock, a limit, 503).
    /// </summary>
    public async Task<IdentityResult> AdmitTokenAsync(AccessRequest request, string subject, DateTimeOffset issuedAt, bool isGrant, AccessRefusal revoked)
    {
        var started = Stopwatch.GetTimestamp();
        var admission = new Admission { ClientAddress = request.ClientAddress, Kind = request.Kind, TokenIssuedAt = issuedAt, IsGrant = isGrant };
        var machine = auth.Value.MachineAccountOf(subject);

        // Tokens issued without credentials have the subject "": the anonymous clients of the address share a grain.
        var principal = subject.Length == 0 ? AnonymousPrincipal(request.ClientAddress) : subject;
        var (decided, decision) = machine is null
            ? await calls.CallAsync(static (g, s) => g.AdmitUserAsync(s.Name, s.Admission), (Name: principal, Admission: admission), "IUserGrain.AdmitAsync", started).ConfigureAwait(false)
            : await calls.CallAsync(static (g, s) => g.AdmitMachineAsync(s.Name, s.Admission), (Name: machine, Admission: admission), "IMachineAccountGrain.AdmitAsync", started).ConfigureAwait(false);
        if (!decided)
        {
            return IdentityResult.Refused(AccessRefusals.Unavailable());
        }

        return decision.Outcome switch
        {
            CredentialOutcome.Allowed => IdentityResult.Identified(new Identity(subject, subject.Length == 0 ? IdentityKind.Anonymous : IdentityKind.IssuedToken, IdentityLabels.None)
            {
                Admission = decision,
                Reason = isGrant ? "refresh token" : "bearer token",
                TokenIssuedAt = issuedAt,
            }),
            CredentialOutcome.Locked or CredentialOutcome.RateLimited => IdentityResult.Refused(AccessRefusals.Limit(decision, request.Surface, request.Scopes)),
            _ => IdentityResult.Refused(revoked),
        };
    }

    /// <summary>
    /// Admits a request without credentials: the anonymous clients of one address (IPv6 by /64) share one grain and its
    /// rate limits; a blocked address is refused.
    /// </summary>
    public async Task<IdentityResult> AdmitAnonymousAsync(AccessRequest request)
    {
        var started = Stopwatch.GetTimestamp();
        var admission = new Admission { ClientAddress = request.ClientAddress, Kind = request.Kind, TokenIssuedAt = time.GetUtcNow(), IsGrant = false };
        var (decided, decision) = await calls.CallAsync(static (g, s) => g.AdmitUserAsync(s.Name, s.Admission), (Name: AnonymousPrincipal(request.ClientAddress), Admission: admission), "IUserGrain.AdmitAsync", started).ConfigureAwait(false);
        if (!decided)
        {
            return IdentityResult.Refused(AccessRefusals.Unavailable());
        }

        return decision.Outcome == CredentialOutcome.Allowed
            ? IdentityResult.Identified(new Identity(string.Empty, IdentityKind.Anonymous, IdentityLabels.None) { Admission = decision, Reason = "anonymous" })
            : IdentityResult.Refused(AccessRefusals.Limit(decision, RefusalSurface.Request, request.Scopes));
    }

    /// <summary>
    /// The grain key of the anonymous clients at an address: it holds a <c>:</c>, which no htpasswd user name can, so it
    /// never names a user's grain.
    /// </summary>
    internal static string AnonymousPrincipal(string clientAddress) => ":anonymous:" + Gateway.Registry.Policies.ClientAddressKey.For(clientAddress);
}
