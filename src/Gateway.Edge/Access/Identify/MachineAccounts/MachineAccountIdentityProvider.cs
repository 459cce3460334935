using System.Diagnostics;
using Gateway.Contracts;
using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Answer;
using Gateway.Registry.Credentials;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.MachineAccounts;

/// <summary>
/// Machine accounts (a user name with <see cref="AuthOptions.MachineAccountPrefix"/>, <c>robot$</c> by default): decided
/// by the account's own grain from the SHA-256 of its secret, no bcrypt; the account's scopes are a ceiling on the ACL.
/// </summary>
public sealed class MachineAccountIdentityProvider(BoundedGrainCalls calls, IOptions<AuthOptions> options) : IIdentityProvider
{
    /// <summary>The name in <c>Gateway:Auth:Providers</c>.</summary>
    public const string ProviderName = "machine-accounts";

    /// <inheritdoc />
    public string Name => ProviderName;

    /// <inheritdoc />
    public async ValueTask<IdentityResult> IdentifyAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        if (request.Basic is not { } credentials || options.Value.MachineAccountOf(credentials.UserName) is not { } machine)
        {
            return IdentityResult.NotMine;
        }

        var started = Stopwatch.GetTimestamp();
        var check = new MachineCheck { SecretHash = credentials.Password.ToSha256(), ClientAddress = request.ClientAddress, Kind = request.Kind };
        var (decided, decision) = await calls.CallAsync(static (g, s) => g.AuthenticateMachineAsync(s.Name, s.Check), (Name: machine, Check: check), "IMachineAccountGrain.AuthenticateAsync", started).ConfigureAwait(false);
        if (!decided)
        {
            return IdentityResult.Refused(AccessRefusals.Unavailable());
        }

        return decision.Outcome switch
        {
            CredentialOutcome.Allowed => IdentityResult.Identified(new Identity(credentials.UserName, IdentityKind.MachineAccount, IdentityLabels.None)
            {
                Admission = decision,
                Reason = "machine account",
            }),
            CredentialOutcome.Locked or CredentialOutcome.RateLimited => IdentityResult.Refused(AccessRefusals.Limit(decision, request.Surface, request.Scopes)),
            _ => IdentityResult.Refused(AccessRefusals.InvalidCredentials(request, repeat: false)),
        };
    }
}
