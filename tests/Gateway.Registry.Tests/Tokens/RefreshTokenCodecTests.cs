using System.Text;
using Gateway.Registry.Tokens;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Registry.Tests.Tokens.TokenTestContext;

namespace Gateway.Registry.Tests.Tokens;

public sealed class RefreshTokenCodecTests
{
    private const string Service = "registry.example.com";
    private const string AliceHash = "$2y$05$aliceAliceAliceAliceAuSmQ1Zv2sNbc2f5Hsh1OQvTA0Z1cSa";
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("cluster-secret-0123456789abcdef!");

    private readonly FakeTimeProvider _time = new(T0);
    private readonly Dictionary<string, string> _generations = new() { ["alice"] = AliceHash, ["mallo"] = "$2y$05$mallo" };

    [Fact]
    public void Validate_FreshToken_ValidWithInfo()
    {
        var codec = NewCodec();
        var issued = codec.Create("alice", Service, AliceHash, TimeSpan.FromDays(30));

        var result = codec.Validate(issued.Value, Service, Generation);

        Assert.Equal(RefreshTokenStatus.Valid, result.Status);
        Assert.True(result.IsValid);
        Assert.Equal(issued.Info, result.Info);
        Assert.Equal("alice", result.Info.User);
        Assert.Equal(Service, result.Info.Service);
        Assert.Equal(T0, result.Info.IssuedAt);
        Assert.Equal(T0.AddDays(30), result.Info.ExpiresAt);
        Assert.Matches("^[A-Za-z0-9_-]{22}$", result.Info.Id);
    }

    [Fact]
    public void Validate_OtherNode_SameSecret_Valid()
    {
        var issued = NewCodec().Create("alice", Service, AliceHash, TimeSpan.FromHours(1));

        Assert.Equal(RefreshTokenStatus.Valid, NewCodec().Validate(issued.Value, Service, Generation).Status);
    }

    [Fact]
    public void Validate_OtherSecret_Invalid()
    {
        var issued = NewCodec().Create("alice", Service, AliceHash, TimeSpan.FromHours(1));
        var other = new RefreshTokenCodec(Encoding.UTF8.GetBytes("another-cluster-secret-012345678"), _time);

        Assert.Equal(RefreshTokenStatus.Invalid, other.Validate(issued.Value, Service, Generation).Status);
    }

    [Fact]
    public void Validate_OtherService_WrongService()
    {
        var codec = NewCodec();
        var issued = codec.Create("alice", Service, AliceHash, TimeSpan.FromHours(1));

        var result = codec.Validate(issued.Value, "other.example.com", Generation);

        Assert.Equal(RefreshTokenStatus.WrongService, result.Status);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void Validate_ExpectedOtherUser_WrongUser()
    {
        var codec = NewCodec();
        var issued = codec.Create("alice", Service, AliceHash, TimeSpan.FromHours(1));

        Assert.Equal(RefreshTokenStatus.WrongUser, codec.Validate(issued.Value, Service, Generation, expectedUser: "mallo").Status);
        Assert.Equal(RefreshTokenStatus.Valid, codec.Validate(issued.Value, Service, Generation, expectedUser: "alice").Status);
    }

    [Fact]
    public void Validate_UserRenamedInPayload_Invalid()
    {
        // mallo edits alice's token to name himself (same length, so the layout stays intact).
        var codec = NewCodec();
        var issued = codec.Create("alice", Service, AliceHash, TimeSpan.FromHours(1));
        var forged = Replace(issued.Value, "alice", "mallo");

        var result = codec.Validate(forged, Service, Generation);

        Assert.Equal(RefreshTokenStatus.Invalid, result.Status);
        Assert.Null(result.Info);
    }

    [Fact]
    public void Validate_ServiceEditedInPayload_Invalid()
    {
        var codec = NewCodec();
        var issued = codec.Create("alice", "registry.example.org", AliceHash, TimeSpan.FromHours(1));

        Assert.Equal(RefreshTokenStatus.Invalid, codec.Validate(Replace(issued.Value, ".org", ".com"), Service, Generation).Status);
    }

    [Theory]
    [InlineData(1)]    // the id
    [InlineData(20)]   // the expiry
    [InlineData(-1)]   // the MAC
    public void Validate_AnyByteFlipped_InvalidOrMalformed(int index)
    {
        var codec = NewCodec();
        var issued = codec.Create("alice", Service, AliceHash, TimeSpan.FromHours(1));
        var bytes = Base64UrlDecode(issued.Value[RefreshTokenCodec.Prefix.Length..]);
        bytes[index < 0 ? bytes.Length + index : index] ^= 0x40;

        var status = codec.Validate(RefreshTokenCodec.Prefix + Base64UrlEncode(bytes), Service, Generation).Status;

        Assert.Contains(status, new[] { RefreshTokenStatus.Invalid, RefreshTokenStatus.Malformed });
        Assert.NotEqual(RefreshTokenStatus.Valid, status);
    }

    [Fact]
    public void Validate_PasswordChanged_Invalid()
    {
        var codec = NewCodec();
        var issued = codec.Create("alice", Service, AliceHash, TimeSpan.FromHours(1));
        _generations["alice"] = "$2y$05$newHashAfterHtpasswdChange";

        Assert.Equal(RefreshTokenStatus.Invalid, codec.Validate(issued.Value, Service, Generation).Status);
    }

    [Fact]
    public void Validate_RevocationCounterRaised_Invalid()
    {
        var codec = NewCodec();
        var issued = codec.Create("alice", Service, AliceHash + "|0", TimeSpan.FromHours(1));

        Assert.Equal(RefreshTokenStatus.Valid, codec.Validate(issued.Value, Service, _ => AliceHash + "|0").Status);
        Assert.Equal(RefreshTokenStatus.Invalid, codec.Validate(issued.Value, Service, _ => AliceHash + "|1").Status);
    }

    [Fact]
    public void Validate_UserRemoved_InvalidLikeAnyForgery()
    {
        var codec = NewCodec();
        var issued = codec.Create("alice", Service, AliceHash, TimeSpan.FromHours(1));
        _generations.Remove("alice");

        var result = codec.Validate(issued.Value, Service, Generation);

        Assert.Equal(RefreshTokenStatus.Invalid, result.Status);
        Assert.Null(result.Info);
    }

    [Fact]
    public void Validate_Expiry_ValidUntilThenExpired()
    {
        var codec = NewCodec();
        var issued = codec.Create("alice", Service, AliceHash, TimeSpan.FromHours(1));

        _time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        var before = codec.Validate(issued.Value, Service, Generation).Status;
        _time.Advance(TimeSpan.FromSeconds(1));
        var after = codec.Validate(issued.Value, Service, Generation);

        Assert.Equal(RefreshTokenStatus.Valid, before);
        Assert.Equal(RefreshTokenStatus.Expired, after.Status);
        Assert.Equal("alice", after.Info?.User);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("rgrt1.")]
    [InlineData("rgrt1.AAAA")]
    [InlineData("rgrt2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("rgrt1.!!!!")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.e30.sig")]
    public void Validate_NotThisFormat_Malformed(string? token)
    {
        Assert.Equal(RefreshTokenStatus.Malformed, NewCodec().Validate(token, Service, Generation).Status);
    }

    [Fact]
    public void Validate_Truncated_Malformed()
    {
        var codec = NewCodec();
        var issued = codec.Create("alice", Service, AliceHash, TimeSpan.FromHours(1));

        Assert.Equal(RefreshTokenStatus.Malformed, codec.Validate(issued.Value[..^4], Service, Generation).Status);
    }

    [Fact]
    public void Create_TwoTokens_DifferentIdsAndValues()
    {
        var codec = NewCodec();

        var first = codec.Create("alice", Service, AliceHash, TimeSpan.FromHours(1));
        var second = codec.Create("alice", Service, AliceHash, TimeSpan.FromHours(1));

        Assert.NotEqual(first.Info.Id, second.Info.Id);
        Assert.NotEqual(first.Value, second.Value);
        Assert.StartsWith(RefreshTokenCodec.Prefix, first.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_GenerationNotInToken()
    {
        var issued = NewCodec().Create("alice", Service, AliceHash, TimeSpan.FromHours(1));
        var bytes = Base64UrlDecode(issued.Value[RefreshTokenCodec.Prefix.Length..]);

        Assert.DoesNotContain("$2y$", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void IssuedRefreshToken_ToString_NeverShowsValue()
    {
        var issued = NewCodec().Create("alice", Service, AliceHash, TimeSpan.FromHours(1));

        Assert.DoesNotContain(issued.Value[RefreshTokenCodec.Prefix.Length..], issued.ToString(), StringComparison.Ordinal);
        Assert.Contains(issued.Info.Id, issued.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ShortSecret_Throws()
    {
        Assert.Throws<ArgumentException>(() => new RefreshTokenCodec(new byte[15], _time));
    }

    private RefreshTokenCodec NewCodec() => new(Secret, _time);

    private string? Generation(string user) => _generations.GetValueOrDefault(user);

    private static string Replace(string token, string from, string to)
    {
        var bytes = Base64UrlDecode(token[RefreshTokenCodec.Prefix.Length..]);
        var fromBytes = Encoding.UTF8.GetBytes(from);
        var at = bytes.AsSpan().IndexOf(fromBytes);
        Assert.True(at > 0);
        Encoding.UTF8.GetBytes(to).CopyTo(bytes, at);
        return RefreshTokenCodec.Prefix + Base64UrlEncode(bytes);
    }
}
