using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Registry.Credentials;

/// <summary>
/// The keyed fingerprint of a credential: HMAC-SHA256 under the cluster secret over the user name, the
/// password and the stored bcrypt hash. The grains keep only this value, never the password; it changes
/// when the htpasswd entry changes, so a changed or removed entry misses the cache on the next request.
/// </summary>
public static class CredentialFingerprint
{
    /// <summary>The fingerprint's length in bytes.</summary>
    public const int Length = 32;

    private static ReadOnlySpan<byte> Domain => "registry-gateway/credential/v1"u8;

    /// <summary>Computes the fingerprint of a credential checked against a stored hash.</summary>
    public static byte[] Compute(ReadOnlySpan<byte> key, string userName, Secret password, string storedHash)
    {
        var userBytes = Encoding.UTF8.GetByteCount(userName);
        var hashBytes = Encoding.UTF8.GetByteCount(storedHash);
        var size = Domain.Length + 12 + userBytes + password.Utf8.Length + hashBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var span = buffer.AsSpan(0, size);
            Domain.CopyTo(span);
            var offset = Domain.Length;
            offset = WriteField(span, offset, userName, userBytes);
            BinaryPrimitives.WriteInt32BigEndian(span[offset..], password.Utf8.Length);
            password.Utf8.CopyTo(span[(offset + 4)..]);
            offset += 4 + password.Utf8.Length;
            WriteField(span, offset, storedHash, hashBytes);
            var result = new byte[Length];
            HMACSHA256.HashData(key, span, result);
            return result;
        }
        finally
        {
            buffer.AsSpan(0, size).Clear();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int WriteField(Span<byte> span, int offset, string value, int byteCount)
    {
        BinaryPrimitives.WriteInt32BigEndian(span[offset..], byteCount);
        Encoding.UTF8.GetBytes(value, span[(offset + 4)..]);
        return offset + 4 + byteCount;
    }
}
