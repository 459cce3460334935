using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Registry.Tokens;

/// <summary>
/// Opaque refresh tokens that need no database: <c>rgrt1.</c> followed by base64url of a random 128-bit id, the
/// issue and expiry times, the user and the service, and an HMAC-SHA256 over all of that and the user's
/// <em>generation</em>, keyed from the cluster secret. The generation is not in the token; the caller supplies the
/// current one at validation, so whatever it covers invalidates every earlier token: pass the user's stored
/// htpasswd hash (a changed password or a removed entry then invalidates them). Revocation is by time, not by token:
/// after a <see cref="RefreshTokenStatus.Valid"/> answer the caller asks the subject's grain, which refuses every token
/// issued before the operator's last revocation (<c>IUserGrain.RevokeTokensAsync</c>); there is no per-token list.
/// </summary>
/// <remarks>
/// A refresh token is a long-lived credential: never log it, nor put it in an exception message or a trace
/// attribute. The user name and service inside are readable by the holder (the token is signed, not encrypted).
/// </remarks>
public sealed class RefreshTokenCodec
{
    /// <summary>The prefix of every token of this format (and version).</summary>
    public const string Prefix = "rgrt1.";

    /// <summary>The shortest cluster secret accepted, in bytes.</summary>
    public const int MinimumSecretLength = 16;

    /// <summary>The longest user name or service, in UTF-8 bytes.</summary>
    public const int MaxFieldLength = 1024;

    private const byte Version = 1;
    private const int IdLength = 16;
    private const int MacLength = 32;
    private const int MaxTokenLength = 4096;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    /// <summary>Creates a codec keyed from <paramref name="clusterSecret"/> (shared by every node).</summary>
    /// <exception cref="ArgumentException">The secret is shorter than <see cref="MinimumSecretLength"/> bytes.</exception>
    public RefreshTokenCodec(ReadOnlySpan<byte> clusterSecret, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (clusterSecret.Length < MinimumSecretLength)
        {
            throw new ArgumentException($"The cluster secret must be at least {MinimumSecretLength} bytes.", nameof(clusterSecret));
        }

        // A key of its own, so a refresh-token MAC can never stand in for a credential fingerprint or the reverse.
        _key = HMACSHA256.HashData(clusterSecret, "registry-gateway/refresh-token/v1"u8);
        _time = timeProvider;
    }

    /// <summary>Issues a refresh token for <paramref name="user"/> at <paramref name="service"/>.</summary>
    /// <param name="user">The user name (the subject of the tokens it will be exchanged for).</param>
    /// <param name="service">The service it is good for.</param>
    /// <param name="userGeneration">The user's current generation (see the class remarks); never stored in the token.</param>
    /// <param name="lifetime">How long it is accepted; positive.</param>
    public IssuedRefreshToken Create(string user, string service, string userGeneration, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(userGeneration);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var userBytes = Encoding.UTF8.GetBytes(user);
        var serviceBytes = Encoding.UTF8.GetBytes(service);
        if (userBytes.Length > MaxFieldLength || serviceBytes.Length > MaxFieldLength)
        {
            throw new ArgumentException($"User and service are limited to {MaxFieldLength} UTF-8 bytes.");
        }

        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds());
        var expiresAt = issuedAt + TimeSpan.FromSeconds(Math.Max(1, (long)lifetime.TotalSeconds));
        var payloadLength = 1 + IdLength + 8 + 8 + 2 + userBytes.Length + 2 + serviceBytes.Length;
        var token = new byte[payloadLength + MacLength];
        var span = token.AsSpan();
        span[0] = Version;
        RandomNumberGenerator.Fill(span.Slice(1, IdLength));
        var at = 1 + IdLength;
        BinaryPrimitives.WriteInt64BigEndian(span[at..], issuedAt.ToUnixTimeSeconds());
        BinaryPrimitives.WriteInt64BigEndian(span[(at + 8)..], expiresAt.ToUnixTimeSeconds());
        at += 16;
        at = WriteField(span, at, userBytes);
        WriteField(span, at, serviceBytes);
        ComputeMac(span[..payloadLength], userGeneration, span[payloadLength..]);

        var info = new RefreshTokenInfo(JwtEncoding.Encode(span.Slice(1, IdLength)), user, service, issuedAt, expiresAt);
        return new IssuedRefreshToken(Prefix + JwtEncoding.Encode(token), info);
    }

    /// <summary>Validates a refresh token presented for <paramref name="service"/>.</summary>
    /// <param name="token">The token as the client sent it.</param>
    /// <param name="service">The service the client asks a token for.</param>
    /// <param name="currentGeneration">
    /// The current generation of the user named in the token, or null when the user no longer exists (then the answer
    /// is <see cref="RefreshTokenStatus.Invalid"/>, as for a changed generation).
    /// </param>
    /// <param name="expectedUser">The user the caller expects (e.g. the request's <c>account</c>), or null for any.</param>
    public RefreshTokenValidation Validate(string? token, string service, Func<string, string?> currentGeneration, string? expectedUser = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(currentGeneration);
        if (token is null || token.Length > MaxTokenLength || !token.StartsWith(Prefix, StringComparison.Ordinal)
            || !JwtEncoding.TryDecode(token.AsSpan(Prefix.Length), out var bytes)
            || !TryParse(bytes, out var payloadLength, out var info))
        {
            return new(RefreshTokenStatus.Malformed, null);
        }

        // An unknown user is checked against a generation no user has, so the answer and its cost are the same.
        var generation = currentGeneration(info.User);
        Span<byte> expected = stackalloc byte[MacLength];
        ComputeMac(bytes.AsSpan(0, payloadLength), generation ?? "\0unknown-user", expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(payloadLength)) || generation is null)
        {
            return new(RefreshTokenStatus.Invalid, null);
        }

        if (expectedUser is not null && !string.Equals(expectedUser, info.User, StringComparison.Ordinal))
        {
            return new(RefreshTokenStatus.WrongUser, info);
        }

        if (!string.Equals(service, info.Service, StringComparison.Ordinal))
        {
            return new(RefreshTokenStatus.WrongService, info);
        }

        if (_time.GetUtcNow() >= info.ExpiresAt)
        {
            return new(RefreshTokenStatus.Expired, info);
        }

        return new(RefreshTokenStatus.Valid, info);
    }

    private static int WriteField(Span<byte> span, int at, byte[] value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)value.Length);
        value.CopyTo(span[(at + 2)..]);
        return at + 2 + value.Length;
    }

    private static bool TryParse(byte[] bytes, out int payloadLength, out RefreshTokenInfo info)
    {
        payloadLength = 0;
        info = null!;
        var span = bytes.AsSpan();
        const int fixedLength = 1 + IdLength + 8 + 8;
        if (span.Length < fixedLength + 2 + 2 + MacLength || span[0] != Version)
        {
            return false;
        }

        var issued = BinaryPrimitives.ReadInt64BigEndian(span[(1 + IdLength)..]);
        var expires = BinaryPrimitives.ReadInt64BigEndian(span[(1 + IdLength + 8)..]);
        var at = fixedLength;
        if (!TryReadField(span, ref at, out var user) || !TryReadField(span, ref at, out var service)
            || span.Length - at != MacLength
            || issued < 0 || expires < issued || expires > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        payloadLength = at;
        info = new RefreshTokenInfo(
            JwtEncoding.Encode(span.Slice(1, IdLength)),
            user,
            service,
            DateTimeOffset.FromUnixTimeSeconds(issued),
            DateTimeOffset.FromUnixTimeSeconds(expires));
        return true;
    }

    private static bool TryReadField(ReadOnlySpan<byte> span, ref int at, out string value)
    {
        value = string.Empty;
        if (span.Length - at < 2)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(span[at..]);
        if (length > MaxFieldLength || span.Length - at - 2 < length)
        {
            return false;
        }

        try
        {
            value = StrictUtf8.GetString(span.Slice(at + 2, length));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        at += 2 + length;
        return true;
    }

    private void ComputeMac(ReadOnlySpan<byte> payload, string generation, Span<byte> destination)
    {
        var generationBytes = Encoding.UTF8.GetBytes(generation);
        var input = new byte[payload.Length + 4 + generationBytes.Length];
        payload.CopyTo(input);
        BinaryPrimitives.WriteInt32BigEndian(input.AsSpan(payload.Length), generationBytes.Length);
        generationBytes.CopyTo(input.AsSpan(payload.Length + 4));
        HMACSHA256.HashData(_key, input, destination);
    }
}
