using Gateway.Edge.Access.Identify.Passwords;
using Gateway.Registry.Credentials;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// The federated token as a password of the grain-cached flow: on a cache miss of the account's grain the token is
/// validated fully (<see cref="FederatedTokenValidator"/>) and must map to the very account whose grain was asked (the
/// account read from the unverified claims); valid until its <c>exp</c>, never longer. Each verified login is recorded
/// for the admin view.
/// </summary>
public sealed class FederatedCredentialVerifier(FederatedTokenValidator validator, FederatedLoginJournal journal, TimeProvider time) : ICredentialVerifier
{
    /// <inheritdoc />
    public async ValueTask<CredentialVerification> VerifyAsync(string userName, Secret password, CancellationToken cancellationToken)
    {
        var result = await validator.ValidateAsync(password.Reveal(), cancellationToken).ConfigureAwait(false);
        if (result.Unavailable)
        {
            return new(VerificationOutcome.Unavailable, FederatedValidation.NoLabels, null);
        }

        if (!result.IsValid || !string.Equals(result.Account, userName, StringComparison.Ordinal))
        {
            return new(VerificationOutcome.Invalid, FederatedValidation.NoLabels, null);
        }

        journal.Record(result.Account!, new FederatedLogin(time.GetUtcNow(), result.Issuer!, result.Subject, result.ExpiresAt));
        return new(VerificationOutcome.Valid, result.Labels, result.ExpiresAt);
    }
}
