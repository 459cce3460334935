using Gateway.Registry.Tokens;

namespace Gateway.Registry.Tests.Tokens;

public sealed class RegistryTokenOptionsTests
{
    [Fact]
    public void Validate_Defaults_RequireIssuerServiceAndSigningKey()
    {
        var problems = new RegistryTokenOptions().Validate();

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Gateway:Token:Issuer ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Gateway:Token:Service ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Gateway:Token:SigningKey ", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_Complete_NoProblems()
    {
        Assert.Empty(TokenTestContext.NewOptions().Validate());
        Assert.Equal(KeyIdFormat.Libtrust, new RegistryTokenOptions().KeyIdFormat);
        Assert.Equal("/token", new RegistryTokenOptions().Realm);
    }

    [Theory]
    [InlineData(59)]
    [InlineData(0)]
    [InlineData(86401)]
    public void Validate_LifetimeOutOfRange_ProblemNamesKey(int seconds)
    {
        var options = TokenTestContext.NewOptions(lifetime: TimeSpan.FromSeconds(seconds));

        var problem = Assert.Single(options.Validate());

        Assert.StartsWith("Gateway:Token:Lifetime must be between 00:01:00", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("token")]
    [InlineData("ftp://x/token")]
    [InlineData(" ")]
    public void Validate_BadRealm_ProblemNamesKey(string realm)
    {
        var options = TokenTestContext.NewOptions();
        options.Realm = realm;

        Assert.StartsWith("Gateway:Token:Realm ", Assert.Single(options.Validate()), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UndefinedKeyIdFormat_ProblemNamesKey()
    {
        var options = TokenTestContext.NewOptions();
        options.KeyIdFormat = (KeyIdFormat)7;

        Assert.StartsWith("Gateway:Token:KeyIdFormat ", Assert.Single(options.Validate()), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_IssuerWithSurroundingSpace_Problem()
    {
        var options = TokenTestContext.NewOptions();
        options.Issuer = " registry-gateway";

        Assert.StartsWith("Gateway:Token:Issuer ", Assert.Single(options.Validate()), StringComparison.Ordinal);
    }
}
