using Gateway.Edge.Access.Identify.Federation;

namespace Gateway.Edge.Tests.Access.Identify.Federation;

public sealed class FederationOptionsValidatorTests
{
    [Fact]
    public void Validate_NoIssuers_Succeeds() =>
        Assert.True(new FederationOptionsValidator().Validate(null, new FederationOptions()).Succeeded);

    [Theory]
    [InlineData("Issuer", "http://issuer.test", "Gateway:Federation:Issuers:0:Issuer")]
    [InlineData("Audience", "", "Gateway:Federation:Issuers:0:Audience")]
    [InlineData("JwksUri", "http://issuer.test/jwks", "Gateway:Federation:Issuers:0:JwksUri")]
    [InlineData("CaFile", "/nonexistent/ca.pem", "Gateway:Federation:Issuers:0:CaFile")]
    [InlineData("AccountTemplate", "ci/fixed", "Gateway:Federation:Issuers:0:AccountTemplate")]
    public void Validate_BadIssuerValue_NamesTheKey(string property, string value, string key)
    {
        var issuer = new TrustedIssuerOptions { Issuer = "https://issuer.test", Audience = "registry", AccountTemplate = "ci/${claims:repository}" };
        typeof(TrustedIssuerOptions).GetProperty(property)!.SetValue(issuer, value);

        var result = new FederationOptionsValidator().Validate(null, new FederationOptions { Issuers = [issuer] });

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OutOfRangeDurations_NamesEachKey()
    {
        var result = new FederationOptionsValidator().Validate(null, new FederationOptions
        {
            ClockSkew = TimeSpan.FromHours(1),
            MinimumRefreshInterval = TimeSpan.Zero,
            MaxTokenLength = 10,
        });

        Assert.Contains("Gateway:Federation:ClockSkew", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Gateway:Federation:MinimumRefreshInterval", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Gateway:Federation:MaxTokenLength", result.FailureMessage, StringComparison.Ordinal);
    }
}
