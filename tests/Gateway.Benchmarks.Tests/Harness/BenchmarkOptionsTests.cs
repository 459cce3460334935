using Gateway.Benchmarks.Harness;

namespace Gateway.Benchmarks.Tests.Harness;

public sealed class BenchmarkOptionsTests
{
    [Fact]
    public void Parse_CurlWorkloadsAndRssBlobSize_AreTakenAndDescribed()
    {
        var options = BenchmarkOptions.Parse(["--workloads", "rss-1g,push-pull-curl", "--rss-blob-mib", "2048"]);

        Assert.Equal(["push-pull-curl", "rss-1g"], options.Workloads);
        Assert.Equal(2048, options.RssBlobMiB);
        Assert.Contains("--rss-blob-mib 2048", options.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Defaults_RssBlobIsOneGiBAndEveryWorkloadRuns()
    {
        var options = BenchmarkOptions.Parse([]);

        Assert.Equal(1024, options.RssBlobMiB);
        Assert.True(options.Runs("push-pull-curl"));
        Assert.True(options.Runs("rss-1g"));
    }

    [Fact]
    public void Parse_Quick_UsesASmallRssBlob()
    {
        Assert.Equal(32, BenchmarkOptions.Parse(["--quick"]).RssBlobMiB);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1g")]
    public void Parse_RssBlobSizeNotAPositiveWholeNumber_Throws(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(["--rss-blob-mib", value]));

        Assert.Contains("--rss-blob-mib", e.Message, StringComparison.Ordinal);
    }
}
