using Gateway.Registry.Access;

namespace Gateway.Registry.Tests.Access;

/// <summary>
/// The media type Go's form parsing takes from a Content-Type: it ignores parameters it cannot parse, where ASP.NET
/// gives up on the whole header (the form-mount bypass of issue 11).
/// </summary>
public sealed class GoMediaTypeTests
{
    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/x-www-form-urlencoded;;")]
    [InlineData("application/x-www-form-urlencoded; a=\"")]
    [InlineData("application/x-www-form-urlencoded; a=b c")]
    [InlineData("application/x-www-form-urlencoded; =x")]
    [InlineData("application/x-www-form-urlencoded;charset=\"utf-8")]
    [InlineData("APPLICATION/X-WWW-FORM-URLENCODED")]
    [InlineData(" \tapplication/x-www-form-urlencoded\t ;x")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("multipart/form-data")]
    [InlineData("Multipart/Form-Data;;")]
    public void MayBeForm_MediaTypeGoParsesAsForm_True(string contentType)
    {
        Assert.True(GoMediaType.MayBeForm(contentType));
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded\u00a0")]
    [InlineData("\u00a0application/x-www-form-urlencoded")]
    [InlineData("application/x-www-form-urlencoded\u0085")]
    [InlineData("application/octet-stream\u0000")]
    [InlineData("application/octet-stream\r")]
    public void MayBeForm_NonAsciiOrControlCharacters_TrueBecauseHopsMayDecodeThemDifferently(string contentType)
    {
        Assert.Null(GoMediaType.Of(contentType));
        Assert.True(GoMediaType.MayBeForm(contentType));
    }

    [Theory]
    [InlineData("application/octet-stream")]
    [InlineData("application/vnd.docker.distribution.manifest.v2+json")]
    [InlineData("application/vnd.oci.image.index.v1+json; charset=utf-8")]
    [InlineData("multipart/mixed; boundary=x")]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencodedx")]
    [InlineData("application/x-www-form-urlencoded/x")]
    [InlineData("application /x-www-form-urlencoded")]
    [InlineData("application/x-www-form-urlencoded (comment)")]
    [InlineData("application/x-www-form-urlencoded, application/octet-stream")]
    [InlineData("")]
    public void MayBeForm_OtherMediaTypes_False(string contentType)
    {
        Assert.False(GoMediaType.MayBeForm(contentType));
    }

    [Theory]
    [InlineData("Application/Octet-Stream; x=y", "application/octet-stream")]
    [InlineData("  text/plain  ", "text/plain")]
    [InlineData("garbage", "")]
    [InlineData("a/b/c", "")]
    public void Of_Value_MediaTypeAsGoReadsIt(string contentType, string expected)
    {
        Assert.Equal(expected, GoMediaType.Of(contentType));
    }
}
