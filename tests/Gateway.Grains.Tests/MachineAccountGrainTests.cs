using System.Security.Cryptography;
using Gateway.Contracts;

namespace Gateway.Grains.Tests;

[Collection(GrainCluster.Name)]
public sealed class MachineAccountGrainTests(ClusterFixture fixture)
{
    private static readonly string[] Scopes = ["repository:ci/*:pull,push"];
    private static int _addresses;

    [Fact]
    public async Task AuthenticateAsync_RightSecret_AllowedWithScopes()
    {
        var (account, secret) = await CreateAsync();

        var decision = await account.AuthenticateAsync(Check(secret, NewAddress()));

        Assert.Equal(CredentialOutcome.Allowed, decision.Outcome);
        Assert.Equal(Scopes, decision.Scopes);
        Assert.NotNull((await account.GetAsync())!.LastUsedAt);
    }

    [Fact]
    public async Task AuthenticateAsync_WrongSecretOrNoAccount_DeniedAlikeAndCountedAgainstTheAddress()
    {
        var (account, _) = await CreateAsync();
        var address = NewAddress();

        var wrong = await account.AuthenticateAsync(Check(RandomNumberGenerator.GetBytes(32), address));
        var missing = await fixture.Client.GetGrain<IMachineAccountGrain>($"none-{Guid.NewGuid():N}").AuthenticateAsync(Check(RandomNumberGenerator.GetBytes(32), address));

        Assert.Equal(new CredentialDecision { Outcome = CredentialOutcome.Denied }, wrong);
        Assert.Equal(wrong, missing);
        Assert.Equal(2, (await fixture.Client.GetGrain<IAddressGrain>(address).GetStatusAsync()).Failures);
    }

    [Fact]
    public async Task CreateAsync_ActiveAccountExists_Null_AfterRevokeReplaces()
    {
        var (account, _) = await CreateAsync();

        var again = await account.CreateAsync(Spec(RandomNumberGenerator.GetBytes(32)));
        var revoked = await account.RevokeAsync();
        var replaced = await account.CreateAsync(Spec(RandomNumberGenerator.GetBytes(32)));

        Assert.Null(again);
        Assert.NotNull(revoked!.RevokedAt);
        Assert.NotNull(replaced);
        Assert.Null(replaced.RevokedAt);
    }

    [Fact]
    public async Task RevokeAsync_SecretAndTokens_RefusedFromThen()
    {
        var (account, secret) = await CreateAsync();
        var address = NewAddress();
        var tokenIssuedAt = fixture.Time.GetUtcNow();

        var before = await account.AdmitAsync(new Admission { ClientAddress = address, TokenIssuedAt = tokenIssuedAt });
        await account.RevokeAsync();
        var login = await account.AuthenticateAsync(Check(secret, address));
        var token = await account.AdmitAsync(new Admission { ClientAddress = address, TokenIssuedAt = tokenIssuedAt });

        Assert.Equal(CredentialOutcome.Allowed, before.Outcome);
        Assert.Equal(CredentialOutcome.Denied, login.Outcome);
        Assert.Equal(CredentialOutcome.Denied, token.Outcome);
        Assert.Equal(DenialReason.TokenRevoked, token.Reason);
    }

    [Fact]
    public async Task AdmitAsync_TokenFromBeforeTheAccountWasReplaced_Refused()
    {
        var (account, _) = await CreateAsync();
        var oldToken = fixture.Time.GetUtcNow();
        await account.RevokeAsync();
        fixture.Time.Advance(TimeSpan.FromSeconds(5));
        await account.CreateAsync(Spec(RandomNumberGenerator.GetBytes(32)));

        var decision = await account.AdmitAsync(new Admission { ClientAddress = NewAddress(), TokenIssuedAt = oldToken });

        Assert.Equal(DenialReason.TokenRevoked, decision.Reason);
    }

    [Fact]
    public async Task AuthenticateAsync_AfterExpiry_Denied()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var account = fixture.Client.GetGrain<IMachineAccountGrain>($"ci-{Guid.NewGuid():N}");
        await account.CreateAsync(Spec(secret) with { ExpiresAt = fixture.Time.GetUtcNow().AddHours(1) });
        var address = NewAddress();

        var during = await account.AuthenticateAsync(Check(secret, address));
        fixture.Time.Advance(TimeSpan.FromHours(1));
        var after = await account.AuthenticateAsync(Check(secret, address));

        Assert.Equal(CredentialOutcome.Allowed, during.Outcome);
        Assert.Equal(CredentialOutcome.Denied, after.Outcome);
    }

    [Fact]
    public async Task AuthenticateAsync_ConcurrentRequests_RequestLimitExact()
    {
        var (account, secret) = await CreateAsync();
        var address = NewAddress();

        var decisions = await Task.WhenAll(Enumerable.Range(0, ClusterFixture.RequestLimit + 7).Select(_ => account.AuthenticateAsync(Check(secret, address))));

        Assert.Equal(ClusterFixture.RequestLimit, decisions.Count(d => d.Outcome == CredentialOutcome.Allowed));
        Assert.All(decisions.Where(d => d.Outcome != CredentialOutcome.Allowed), d => Assert.Equal(DenialReason.RequestLimit, d.Reason));
    }

    [Fact]
    public async Task CreateAsync_ListsTheNameInTheDirectory_OnceEvenWhenReplaced()
    {
        var (account, _) = await CreateAsync();
        await account.RevokeAsync();
        await account.CreateAsync(Spec(RandomNumberGenerator.GetBytes(32)));

        var names = await fixture.Client.GetGrain<IMachineAccountDirectoryGrain>(IMachineAccountDirectoryGrain.Key).ListAsync();

        Assert.Single(names, n => n == account.GetPrimaryKeyString());
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public async Task GetAsync_NeverCreated_Null()
    {
        Assert.Null(await fixture.Client.GetGrain<IMachineAccountGrain>($"none-{Guid.NewGuid():N}").GetAsync());
    }

    private async Task<(IMachineAccountGrain Account, byte[] Secret)> CreateAsync()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var account = fixture.Client.GetGrain<IMachineAccountGrain>($"ci-{Guid.NewGuid():N}");
        Assert.NotNull(await account.CreateAsync(Spec(secret)));
        return (account, secret);
    }

    private MachineAccountSpec Spec(byte[] secret) => new()
    {
        SecretHash = SHA256.HashData(secret),
        Scopes = Scopes,
        ExpiresAt = fixture.Time.GetUtcNow().AddDays(30),
    };

    private static MachineCheck Check(byte[] secret, string address) => new() { SecretHash = SHA256.HashData(secret), ClientAddress = address };

    private static string NewAddress() => $"198.51.100.{Interlocked.Increment(ref _addresses)}";
}
