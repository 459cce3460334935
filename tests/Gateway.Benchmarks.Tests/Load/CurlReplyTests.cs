using Gateway.Benchmarks.Load;

namespace Gateway.Benchmarks.Tests.Load;

public sealed class CurlReplyTests
{
    [Fact]
    public void Parse_InterimContinueThenFinalAnswer_ReadsTheFinalAnswersHeaders()
    {
        var output = "HTTP/1.1 100 Continue\r\n\r\n"
            + "HTTP/1.1 201 Created\r\nLocation: /v2/bench/a/blobs/sha256:ab\r\ndocker-content-digest: sha256:ab\r\nContent-Length: 0\r\n\r\n"
            + "\ncurl-result: 201 1.1 268435456 0 2.514\n";

        var reply = CurlReply.Parse(output);

        Assert.NotNull(reply);
        Assert.Equal(201, reply.Status);
        Assert.Equal("1.1", reply.HttpVersion);
        Assert.Equal("sha256:ab", reply.Headers["Docker-Content-Digest"]);
        Assert.Equal("/v2/bench/a/blobs/sha256:ab", reply.Headers["location"]);
        Assert.Equal(268_435_456, reply.UploadedBytes);
        Assert.Equal(0, reply.DownloadedBytes);
        Assert.Equal(2.514, reply.TotalSeconds, 3);
    }

    [Fact]
    public void Parse_LocationWithQueryAndColons_KeepsTheWholeValue()
    {
        var output = "HTTP/1.1 202 Accepted\nLocation: https://127.0.0.1:5443/v2/bench/a/blobs/uploads/u1?_state=x%3D%3D\n\ncurl-result: 202 1.1 0 0 0.01\n";

        var reply = CurlReply.Parse(output);

        Assert.Equal("https://127.0.0.1:5443/v2/bench/a/blobs/uploads/u1?_state=x%3D%3D", reply!.Headers["Location"]);
    }

    [Fact]
    public void Parse_NoConnection_ReportsStatusZeroAndNoHeaders()
    {
        var reply = CurlReply.Parse("\ncurl-result: 000 0 0 0 0.000302\n");

        Assert.NotNull(reply);
        Assert.Equal(0, reply.Status);
        Assert.Empty(reply.Headers);
    }

    [Theory]
    [InlineData("")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n")]
    [InlineData("\ncurl-result: 200 1.1 0\n")]
    [InlineData("\ncurl-result: abc 1.1 0 0 0.1\n")]
    public void Parse_WriteOutLineMissingOrMalformed_ReturnsNull(string output)
    {
        Assert.Null(CurlReply.Parse(output));
    }

    [Fact]
    public void WriteOut_EndsWithTheFieldsParseReads()
    {
        Assert.Equal("\\ncurl-result: %{http_code} %{http_version} %{size_upload} %{size_download} %{time_total}\\n", CurlReply.WriteOut);
    }
}
