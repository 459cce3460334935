using System.Buffers;
using System.Text.Json;

namespace Gateway.Registry.Errors;

/// <summary>Writes the registry's JSON error envelope.</summary>
public static class RegistryErrorBody
{
    /// <summary>The media type the registry serves errors with.</summary>
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>
    /// Writes <c>{"errors":[{"code","message","detail"}]}</c> for one error; the detail is the access records with Go's
    /// field names (<c>Type</c>, <c>Class</c>, <c>Name</c>, <c>Action</c>), as registry 2.8 writes them, or null when
    /// there are none (Go writes its empty, nil slice as <c>null</c>, e.g. for <c>/v2/</c>).
    /// </summary>
    public static void Write(IBufferWriter<byte> destination, RegistryError error)
    {
        using var writer = new Utf8JsonWriter(destination);
        writer.WriteStartObject();
        writer.WriteStartArray("errors");
        writer.WriteStartObject();
        writer.WriteString("code", error.Code.Code);
        writer.WriteString("message", error.Text);
        if (error.Detail is { Count: > 0 } detail)
        {
            writer.WriteStartArray("detail");
            foreach (var record in detail)
            {
                writer.WriteStartObject();
                writer.WriteString("Type", record.Type);
                writer.WriteString("Class", record.Class);
                writer.WriteString("Name", record.Name);
                writer.WriteString("Action", record.Action);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNull("detail");
        }

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
