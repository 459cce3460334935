using System.Security.Cryptography;

namespace Gateway.Benchmarks.Load;

/// <summary>Blob files for uploads: fresh random content written in 1 MiB pieces, and the digest of a file.</summary>
public static class BlobFile
{
    private const int Piece = 1024 * 1024;

    /// <summary>Writes <paramref name="length"/> random bytes to <paramref name="path"/>; returns their digest, <c>sha256:hex</c>.</summary>
    public static async Task<string> WriteRandomAsync(string path, long length, CancellationToken cancellationToken)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Piece];
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, Piece, useAsync: true);
        for (var left = length; left > 0; left -= Piece)
        {
            var count = (int)Math.Min(Piece, left);
            Random.Shared.NextBytes(buffer.AsSpan(0, count));
            sha.AppendData(buffer, 0, count);
            await file.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }

        return Digest(sha);
    }

    /// <summary>The length and the digest (<c>sha256:hex</c>) of a file.</summary>
    public static async Task<(long Length, string Digest)> DigestAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, Piece, useAsync: true);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Piece];
        long length = 0;
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            length += read;
        }

        return (length, Digest(sha));
    }

    private static string Digest(IncrementalHash sha) => "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset());
}
