using Gateway.Benchmarks.Workloads;

namespace Gateway.Benchmarks.Tests.Workloads;

public sealed class CurlBlobTransferTests
{
    [Fact]
    public void WithDigest_LocationCarriesState_AppendsTheDigestToTheQuery()
    {
        var location = new Uri("https://127.0.0.1:5443/v2/bench/a/blobs/uploads/u1?_state=abc%3D%3D");

        var url = CurlBlobTransfer.WithDigest(location, "sha256:0123");

        Assert.Equal("https://127.0.0.1:5443/v2/bench/a/blobs/uploads/u1?_state=abc%3D%3D&digest=sha256%3A0123", url.AbsoluteUri);
    }

    [Fact]
    public void WithDigest_LocationWithoutQuery_AddsTheDigestAsTheQuery()
    {
        var url = CurlBlobTransfer.WithDigest(new Uri("http://127.0.0.1:5000/v2/bench/a/blobs/uploads/u1"), "sha256:0123");

        Assert.Equal("http://127.0.0.1:5000/v2/bench/a/blobs/uploads/u1?digest=sha256%3A0123", url.AbsoluteUri);
    }
}
