using Gateway.Edge.Access.Identify.Federation;
using Gateway.Edge.Access.Identify.Passwords;
using Gateway.Registry.Credentials;

namespace Gateway.Edge.Tests.Access.Identify.Federation;

public sealed class FederatedCredentialVerifierTests
{
    private readonly TestIssuer _issuer = new();
    private readonly FederatedLoginJournal _journal = new();

    [Fact]
    public async Task VerifyAsync_ValidTokenOfTheAccount_ValidUntilExpWithLabelsAndRecorded()
    {
        var verifier = new FederatedCredentialVerifier(_issuer.CreateValidator(), _journal, _issuer.Time);

        var result = await verifier.VerifyAsync("ci/acme/app", Secret.FromString(_issuer.Mint(_issuer.Claims())), default);

        Assert.Equal(VerificationOutcome.Valid, result.Outcome);
        Assert.Equal(_issuer.Time.GetUtcNow().AddMinutes(5), result.ValidUntil);
        Assert.Equal(["acme"], result.Labels["owner"]);
        var login = Assert.Single(_journal.Recent("ci/acme/app"));
        Assert.Equal("repo:acme/app:ref:refs/heads/main", login.Subject);
    }

    [Fact]
    public async Task VerifyAsync_ValidTokenOfAnotherAccount_Invalid()
    {
        var verifier = new FederatedCredentialVerifier(_issuer.CreateValidator(), _journal, _issuer.Time);

        var result = await verifier.VerifyAsync("ci/acme/other", Secret.FromString(_issuer.Mint(_issuer.Claims())), default);

        Assert.Equal(VerificationOutcome.Invalid, result.Outcome);
        Assert.Empty(_journal.Recent("ci/acme/app"));
    }

    [Fact]
    public async Task VerifyAsync_IssuerDownWithoutKeys_Unavailable()
    {
        _issuer.Down = true;
        var verifier = new FederatedCredentialVerifier(_issuer.CreateValidator(), _journal, _issuer.Time);

        var result = await verifier.VerifyAsync("ci/acme/app", Secret.FromString(_issuer.Mint(_issuer.Claims())), default);

        Assert.Equal(VerificationOutcome.Unavailable, result.Outcome);
    }
}
