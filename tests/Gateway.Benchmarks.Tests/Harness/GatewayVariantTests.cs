using Gateway.Benchmarks.Harness;

namespace Gateway.Benchmarks.Tests.Harness;

public sealed class GatewayVariantTests
{
    [Fact]
    public void Parse_NameAndSettings_BecomeATargetVisitedAfterTheOthers()
    {
        var options = BenchmarkOptions.Parse(["--targets", "gateway-1,nginx-tls", "--variant", "4k:Gateway__Transfer__BlockSize=4096; Kestrel__Endpoints__Https__Protocols=Http1"]);

        var variant = Assert.Single(options.Variants);
        Assert.Equal("gateway-1.4k", variant.TargetName);
        Assert.Equal("4096", variant.Settings["Gateway__Transfer__BlockSize"]);
        Assert.Equal("Http1", variant.Settings["Kestrel__Endpoints__Https__Protocols"]);
        Assert.Equal(["nginx-tls", "gateway-1", "gateway-1.4k"], options.TargetOrder);
        Assert.Contains("--variant '4k:Gateway__Transfer__BlockSize=4096;Kestrel__Endpoints__Https__Protocols=Http1'", options.Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nosettings:")]
    [InlineData(":Key=Value")]
    [InlineData("Upper:Key=Value")] // becomes part of a repository name in the registry, which must be lower case
    [InlineData("bad+name:Key=Value")]
    [InlineData("ok:NoEqualsSign")]
    public void Parse_Malformed_ThrowsNamingTheProblem(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => GatewayVariant.Parse(text));

        Assert.StartsWith("--variant", e.Message, StringComparison.Ordinal);
    }
}
