using System.IO.Pipelines;
using System.Security.Cryptography;
using Gateway.Edge.Transfer;

namespace Gateway.Edge.Tests.Transfer;

/// <summary>Request bodies handed on in pieces of at least the minimum: sizes, the end of the body, zero-byte reads.</summary>
public sealed class CoalescingReadStreamTests
{
    private const int Record = 16 * 1024; // one TLS record's worth, as the body arrives

    [Fact]
    public async Task ReadAsync_BodyArrivesInSmallPieces_HandsOnAtLeastTheMinimumAndEveryByteInOrder()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024));
        var body = RandomNumberGenerator.GetBytes((20 * Record) + 1000);
        var writing = WriteInPiecesAsync(pipe.Writer, body, Record);
        var stream = new CoalescingReadStream(pipe.Reader, 64 * 1024);

        var (received, reads) = await ReadAllAsync(stream, 256 * 1024);
        await writing;

        Assert.Equal(body, received);
        // Each read takes at least the minimum, or all that is left of the body (how much more it takes depends on
        // how far the writer got meanwhile).
        var left = body.Length;
        foreach (var read in reads)
        {
            Assert.True(read >= Math.Min(64 * 1024, left), $"a read of {read} bytes with {left} left");
            left -= read;
        }

        Assert.True(reads.Length > 1, "the body should not have fitted in one read");
    }

    [Fact]
    public async Task ReadAsync_BufferSmallerThanTheMinimum_FillsTheBufferAndKeepsTheRest()
    {
        var pipe = new Pipe();
        var body = RandomNumberGenerator.GetBytes(10_000);
        await pipe.Writer.WriteAsync(body);
        await pipe.Writer.CompleteAsync();
        var stream = new CoalescingReadStream(pipe.Reader, 64 * 1024);

        var (received, reads) = await ReadAllAsync(stream, 4096);

        Assert.Equal(body, received);
        Assert.Equal([4096, 4096, 10_000 - 8192], reads);
    }

    [Fact]
    public async Task ReadAsync_ZeroBytes_WaitsForDataAndTakesNone()
    {
        var pipe = new Pipe();
        var stream = new CoalescingReadStream(pipe.Reader, 64 * 1024);

        var waiting = stream.ReadAsync(Memory<byte>.Empty);
        Assert.False(waiting.IsCompleted);
        await pipe.Writer.WriteAsync(new byte[] { 1, 2, 3 });
        await pipe.Writer.CompleteAsync();

        Assert.Equal(0, await waiting);
        var (received, _) = await ReadAllAsync(stream, 1024);
        Assert.Equal([1, 2, 3], received);
    }

    [Fact]
    public async Task ReadAsync_EmptyBody_EndsAtOnce()
    {
        var pipe = new Pipe();
        await pipe.Writer.CompleteAsync();
        var stream = new CoalescingReadStream(pipe.Reader, 64 * 1024);

        Assert.Equal(0, await stream.ReadAsync(new byte[1024]));
    }

    [Fact]
    public async Task ReadAsync_ClientGoesAway_TheReadFailsInsteadOfEndingTheBody()
    {
        var pipe = new Pipe();
        var stream = new CoalescingReadStream(pipe.Reader, 64 * 1024);
        await pipe.Writer.WriteAsync(new byte[100]);

        var reading = stream.ReadAsync(new byte[128 * 1024]).AsTask();
        await pipe.Writer.CompleteAsync(new IOException("connection reset"));

        await Assert.ThrowsAsync<IOException>(() => reading);
    }

    private static async Task WriteInPiecesAsync(PipeWriter writer, byte[] body, int piece)
    {
        for (var offset = 0; offset < body.Length; offset += piece)
        {
            await Task.Yield();
            await writer.WriteAsync(body.AsMemory(offset, Math.Min(piece, body.Length - offset)));
        }

        await writer.CompleteAsync();
    }

    private static async Task<(byte[] Received, int[] Reads)> ReadAllAsync(Stream stream, int bufferSize)
    {
        using var received = new MemoryStream();
        var reads = new List<int>();
        var buffer = new byte[bufferSize];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            reads.Add(read);
            received.Write(buffer, 0, read);
        }

        return (received.ToArray(), [.. reads]);
    }
}
