using System.Buffers.Binary;
using System.Text;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Reads the protobuf wire format field by field (NuGet serves no OpenTelemetry.Proto package, and the OTLP
/// messages the tests need are few): varints, fixed32/64 and length-delimited fields; groups are refused.
/// </summary>
public ref struct ProtobufReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    /// <summary>The wire type of the field just read by <see cref="TryReadTag"/>.</summary>
    public int WireType { get; private set; }

    /// <summary>Reads the next field's tag; false at the end of the message.</summary>
    public bool TryReadTag(out int fieldNumber)
    {
        if (_position >= _data.Length)
        {
            fieldNumber = 0;
            return false;
        }

        var tag = ReadVarint();
        fieldNumber = checked((int)(tag >> 3));
        WireType = (int)(tag & 7);
        if (fieldNumber <= 0)
        {
            throw new FormatException($"invalid protobuf field number {fieldNumber}");
        }

        return true;
    }

    /// <summary>A varint field (int32/int64/uint/bool/enum).</summary>
    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw new FormatException("truncated varint");
            }

            var b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("varint longer than 10 bytes");
    }

    /// <summary>A fixed64 field (fixed64, sfixed64, double).</summary>
    public ulong ReadFixed64()
    {
        var value = BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
        return value;
    }

    /// <summary>A fixed32 field (fixed32, sfixed32, float).</summary>
    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>A length-delimited field (bytes, string, embedded message, packed repeated).</summary>
    public ReadOnlySpan<byte> ReadBytes() => Take(checked((int)ReadVarint()));

    /// <summary>A string field.</summary>
    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    /// <summary>Skips the value of the field just read.</summary>
    public void Skip()
    {
        switch (WireType)
        {
            case 0:
                ReadVarint();
                break;
            case 1:
                Take(8);
                break;
            case 2:
                ReadBytes();
                break;
            case 5:
                Take(4);
                break;
            default:
                throw new FormatException($"unsupported protobuf wire type {WireType}");
        }
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length < 0 || _position + length > _data.Length)
        {
            throw new FormatException("truncated protobuf field");
        }

        var slice = _data.Slice(_position, length);
        _position += length;
        return slice;
    }
}
