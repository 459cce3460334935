using System.Buffers;
using System.Text;
using System.Text.Json;
using Gateway.Registry.Errors;

namespace Gateway.Registry.Tests.Errors;

public sealed class RegistryErrorBodyTests
{
    [Fact]
    public void ToUtf8_Unauthorized_ExactRegistryEnvelope()
    {
        var body = RegistryErrorBody.ToUtf8(new RegistryError(RegistryErrorCode.Unauthorized));

        Assert.Equal("""{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}""", Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void ToUtf8_Denied_ExactRegistryEnvelope()
    {
        var body = RegistryErrorBody.ToUtf8(new RegistryError(RegistryErrorCode.Denied));

        Assert.Equal("""{"errors":[{"code":"DENIED","message":"requested access to the resource is denied","detail":null}]}""", Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void ToUtf8_CustomMessage_ReplacesDefaultMessage()
    {
        var body = RegistryErrorBody.ToUtf8(new RegistryError(RegistryErrorCode.Unauthorized, "locked out for 60 s"));

        Assert.Equal("""{"errors":[{"code":"UNAUTHORIZED","message":"locked out for 60 s","detail":null}]}""", Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData("say \"hi\"")]
    [InlineData("back\\slash")]
    [InlineData("line\nbreak\r\ttab\u0001\u001f")]
    [InlineData("\"},{\"code\":\"injected")]
    [InlineData("jürgen 日本 😀")]
    [InlineData("<script>alert('x')</script> & more")]
    [InlineData("")]
    public void ToUtf8_MessageNeedingEscapes_ValidJsonThatRoundTrips(string message)
    {
        var body = RegistryErrorBody.ToUtf8(new RegistryError(RegistryErrorCode.Denied, message));

        Assert.All(body, b => Assert.True(b >= 0x20, $"raw control byte 0x{b:x2} in the body"));
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        Assert.Equal(["errors"], root.EnumerateObject().Select(p => p.Name));
        var error = Assert.Single(root.GetProperty("errors").EnumerateArray());
        Assert.Equal(["code", "message", "detail"], error.EnumerateObject().Select(p => p.Name));
        Assert.Equal("DENIED", error.GetProperty("code").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("detail").ValueKind);
    }

    [Fact]
    public void Write_ToBufferWriter_SameBytesAsToUtf8()
    {
        var error = new RegistryError(RegistryErrorCode.TooManyRequests, "slow \"down\"");
        var buffer = new ArrayBufferWriter<byte>();

        RegistryErrorBody.Write(buffer, error);

        Assert.Equal(RegistryErrorBody.ToUtf8(error), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Write_AfterExistingBytes_Appends()
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("prefix:"u8);

        RegistryErrorBody.Write(buffer, new RegistryError(RegistryErrorCode.Unauthorized));

        Assert.Equal(
            """prefix:{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}""",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Status_NoOverride_TheCodesHttpStatus()
    {
        Assert.Equal(401, new RegistryError(RegistryErrorCode.Unauthorized).Status);
        Assert.Equal(403, new RegistryError(RegistryErrorCode.Denied).Status);
        Assert.Equal(429, new RegistryError(RegistryErrorCode.TooManyRequests).Status);
        Assert.Equal(503, new RegistryError(RegistryErrorCode.Unavailable).Status);
    }

    [Fact]
    public void Status_Override_OverrideServedBodyUnchanged()
    {
        // distribution answers unknown endpoints with UNSUPPORTED and 404.
        var error = new RegistryError(RegistryErrorCode.Unsupported, StatusCode: 404);

        Assert.Equal(404, error.Status);
        Assert.Equal(
            """{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported.","detail":null}]}""",
            Encoding.UTF8.GetString(RegistryErrorBody.ToUtf8(error)));
    }

    [Fact]
    public void ToUtf8_AccessRecordsAsDetail_RegistryShapeWithGoFieldNames()
    {
        Assert.True(Gateway.Registry.Access.AccessScope.TryParse("repository(plugin):team/app:pull,push", out var scope));
        var error = new RegistryError(RegistryErrorCode.Unauthorized) { Detail = RegistryAccessRecord.From([scope]) };

        Assert.Equal(
            """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[{"Type":"repository","Class":"plugin","Name":"team/app","Action":"pull"},{"Type":"repository","Class":"plugin","Name":"team/app","Action":"push"}]}]}""",
            Encoding.UTF8.GetString(RegistryErrorBody.ToUtf8(error)));
    }

    [Fact]
    public void ToUtf8_EmptyAccessRecords_DetailNullAsGoWritesANilSlice()
    {
        var error = new RegistryError(RegistryErrorCode.Unauthorized) { Detail = [] };

        Assert.Equal(
            """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}""",
            Encoding.UTF8.GetString(RegistryErrorBody.ToUtf8(error)));
    }

    [Fact]
    public void Describe_ScopesWithActions_RepositoryAndActionsForPeople()
    {
        Assert.True(Gateway.Registry.Access.AccessScope.TryParse("repository:alice/app:pull,push", out var app));
        Assert.True(Gateway.Registry.Access.AccessScope.TryParse("registry:catalog:*", out var catalog));

        Assert.Equal("pull, push on repository alice/app; * on registry catalog", RegistryAccessRecord.Describe([app, catalog]));
    }
}
