using System.Text;
using Gateway.Registry.Credentials;

namespace Gateway.Registry.Tests.Credentials;

public sealed class BasicCredentialParserTests
{
    [Fact]
    public void TryParse_ValidBasicHeader_UserAndPassword()
    {
        var status = BasicCredentialParser.TryParse("Basic dXNlcjpwYXNz", out var credentials);

        Assert.Equal(CredentialParseStatus.Ok, status);
        Assert.NotNull(credentials);
        Assert.Equal("user", credentials.UserName);
        Assert.Equal("pass", PasswordOf(credentials));
    }

    [Fact]
    public void TryParse_ValidBasicHeader_PasswordNeverPrints()
    {
        BasicCredentialParser.TryParse(Header("user", "hunter2"), out var credentials);

        Assert.NotNull(credentials);
        Assert.Equal("***", credentials.Password.ToString());
        Assert.DoesNotContain("hunter2", credentials.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_PasswordMatchesItsHtpasswdHash_Verifies()
    {
        BasicCredentialParser.TryParse(Header("alice", HtpasswdSamples.AlicePassword), out var credentials);

        Assert.NotNull(credentials);
        Assert.True(BcryptHash.Verify(credentials.Password, HtpasswdSamples.HashOf(HtpasswdSamples.AliceCost4)));
    }

    [Theory]
    [InlineData("basic dXNlcjpwYXNz")]
    [InlineData("BASIC dXNlcjpwYXNz")]
    [InlineData("bAsIc dXNlcjpwYXNz")]
    public void TryParse_SchemeInAnyCase_Ok(string header)
    {
        var status = BasicCredentialParser.TryParse(header, out var credentials);

        Assert.Equal(CredentialParseStatus.Ok, status);
        Assert.Equal("user", credentials!.UserName);
    }

    [Fact]
    public void TryParse_SurroundingWhitespace_Ok()
    {
        var status = BasicCredentialParser.TryParse("  Basic   dXNlcjpwYXNz  ", out var credentials);

        Assert.Equal(CredentialParseStatus.Ok, status);
        Assert.Equal("pass", PasswordOf(credentials!));
    }

    [Fact]
    public void TryParse_PasswordContainsColons_SplitAtFirstColon()
    {
        var status = BasicCredentialParser.TryParse(Header("user", "pa:ss:word:"), out var credentials);

        Assert.Equal(CredentialParseStatus.Ok, status);
        Assert.Equal("user", credentials!.UserName);
        Assert.Equal("pa:ss:word:", PasswordOf(credentials));
    }

    [Fact]
    public void TryParse_EmptyPassword_OkWithEmptyPassword()
    {
        var status = BasicCredentialParser.TryParse(Header("user", string.Empty), out var credentials);

        Assert.Equal(CredentialParseStatus.Ok, status);
        Assert.Equal("user", credentials!.UserName);
        Assert.Equal(string.Empty, PasswordOf(credentials));
    }

    [Fact]
    public void TryParse_NonAsciiUtf8_DecodedAsUtf8()
    {
        var status = BasicCredentialParser.TryParse(Header("jürgen", "pässwörd-日本"), out var credentials);

        Assert.Equal(CredentialParseStatus.Ok, status);
        Assert.Equal("jürgen", credentials!.UserName);
        Assert.Equal("pässwörd-日本", PasswordOf(credentials));
    }

    [Fact]
    public void TryParse_UserNameCase_KeptAsSent()
    {
        BasicCredentialParser.TryParse(Header("Alice", "p"), out var credentials);

        Assert.Equal("Alice", credentials!.UserName);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void TryParse_NoHeader_Missing(string? header)
    {
        var status = BasicCredentialParser.TryParse(header, out var credentials);

        Assert.Equal(CredentialParseStatus.Missing, status);
        Assert.Null(credentials);
    }

    [Theory]
    [InlineData("Bearer x")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc")]
    [InlineData("Digest username=\"user\"")]
    [InlineData("Negotiate")]
    public void TryParse_OtherScheme_OtherScheme(string header)
    {
        var status = BasicCredentialParser.TryParse(header, out var credentials);

        Assert.Equal(CredentialParseStatus.OtherScheme, status);
        Assert.Null(credentials);
    }

    [Theory]
    [InlineData("Basic")]
    [InlineData("Basic ")]
    [InlineData("Basic      ")]
    [InlineData("basic")]
    public void TryParse_BasicWithNothingAfterIt_Malformed(string header)
    {
        AssertMalformed(header);
    }

    [Theory]
    [InlineData("Basic !!!!")]
    [InlineData("Basic dXNlcjpwYXNz=")]
    [InlineData("Basic dXNlcjpwYXN")]
    [InlineData("Basic dXNlcjpwYXNz\u00e9")]
    [InlineData("Basic dXNlcjpw-XNz")]
    public void TryParse_BadBase64_Malformed(string header)
    {
        AssertMalformed(header);
    }

    [Fact]
    public void TryParse_NoColon_Malformed()
    {
        AssertMalformed(HeaderOfBytes(Encoding.UTF8.GetBytes("userpass")));
    }

    [Fact]
    public void TryParse_EmptyUser_Malformed()
    {
        AssertMalformed(Header(string.Empty, "pass"));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)':', (byte)'x' })]
    [InlineData(new byte[] { (byte)'u', (byte)':', 0xC3 })]
    [InlineData(new byte[] { (byte)'u', (byte)':', 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xC0, 0xAF, (byte)':', (byte)'x' })]
    public void TryParse_NotUtf8_Malformed(byte[] decoded)
    {
        AssertMalformed(HeaderOfBytes(decoded));
    }

    [Theory]
    [InlineData("us\u0001er")]
    [InlineData("user\n")]
    [InlineData("\tuser")]
    [InlineData("us\u0000er")]
    [InlineData("user\u007f")]
    [InlineData("us\u0085er")]
    [InlineData("us\u009ber")]
    [InlineData("us\u2028er")]
    [InlineData("us\u2029er")]
    [InlineData("us\u202eer")]
    [InlineData("us\u2066er")]
    public void TryParse_ControlCharacterInUser_Malformed(string user)
    {
        AssertMalformed(Header(user, "pass"));
    }

    [Theory]
    [InlineData("Jürgen")]
    [InlineData("bob client=6.6.6.6")]
    [InlineData("al\"ice")]
    public void TryParse_PrintableUnusualUser_Ok(string user)
    {
        Assert.Equal(CredentialParseStatus.Ok, BasicCredentialParser.TryParse(Header(user, "pass"), out var credentials));
        Assert.Equal(user, credentials!.UserName);
    }

    [Fact]
    public void TryParse_ControlCharacterInPassword_Ok()
    {
        var status = BasicCredentialParser.TryParse(Header("user", "pa\tss\u0001"), out var credentials);

        Assert.Equal(CredentialParseStatus.Ok, status);
        Assert.Equal("pa\tss\u0001", PasswordOf(credentials!));
    }

    [Fact]
    public void TryParse_HeaderOver4096Characters_Malformed()
    {
        // Padding with spaces keeps the credentials themselves valid: only the header's length is at fault.
        var valid = "Basic dXNlcjpwYXNz";
        var atLimit = valid.Insert(6, new string(' ', 4096 - valid.Length));
        var overLimit = valid.Insert(6, new string(' ', 4097 - valid.Length));

        Assert.Equal(CredentialParseStatus.Ok, BasicCredentialParser.TryParse(atLimit, out _));
        AssertMalformed(overLimit);
    }

    [Fact]
    public void TryParse_UserOver256Bytes_Malformed()
    {
        Assert.Equal(CredentialParseStatus.Ok, BasicCredentialParser.TryParse(Header(new string('u', 256), "p"), out var atLimit));
        Assert.Equal(256, atLimit!.UserName.Length);
        AssertMalformed(Header(new string('u', 257), "p"));
    }

    [Fact]
    public void TryParse_UserOver256Utf8BytesButFewerCharacters_Malformed()
    {
        // 129 characters, 258 UTF-8 bytes.
        AssertMalformed(Header(new string('é', 129), "p"));
    }

    [Fact]
    public void TryParse_PasswordOver1024Bytes_Malformed()
    {
        Assert.Equal(CredentialParseStatus.Ok, BasicCredentialParser.TryParse(Header("user", new string('p', 1024)), out var atLimit));
        Assert.Equal(1024, PasswordOf(atLimit!).Length);
        AssertMalformed(Header("user", new string('p', 1025)));
    }

    [Fact]
    public void TryParse_PasswordOver1024Utf8BytesButFewerCharacters_Malformed()
    {
        // 342 characters, 1026 UTF-8 bytes.
        AssertMalformed(Header("user", new string('€', 342)));
    }

    private static void AssertMalformed(string header)
    {
        var status = BasicCredentialParser.TryParse(header, out var credentials);

        Assert.Equal(CredentialParseStatus.Malformed, status);
        Assert.Null(credentials);
    }

    private static string Header(string user, string password) => HeaderOfBytes(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static string HeaderOfBytes(byte[] decoded) => "Basic " + Convert.ToBase64String(decoded);

    private static string PasswordOf(BasicCredentials credentials) => Encoding.UTF8.GetString(credentials.Password.Utf8);
}
