using System.Buffers;
using System.Text.Json;

namespace Gateway.Registry.Errors;

/// <summary>Writes the registry's JSON error envelope.</summary>
public static class RegistryErrorBody
{
    /// <summary>The media type the registry serves errors with.</summary>
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>Writes <c>{"errors":[{"code","message","detail"}]}</c> for one error.</summary>
    public static void Write(IBufferWriter<byte> destination, RegistryError error)
    {
        using var writer = new Utf8JsonWriter(destination);
        writer.WriteStartObject();
        writer.WriteStartArray("errors");
        writer.WriteStartObject();
        writer.WriteString("code", error.Code.Code);
        writer.WriteString("message", error.Text);
        writer.WriteNull("detail");
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The envelope for one error as UTF-8 bytes.</summary>
    public static byte[] ToUtf8(RegistryError error)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        Write(buffer, error);
        return buffer.WrittenSpan.ToArray();
    }
}
