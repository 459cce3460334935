using System.Buffers;
using System.IO.Pipelines;

namespace Gateway.Edge.Transfer;

/// <summary>
/// A request body read in pieces of at least <c>minimum</c> bytes (or what is left of it): the proxy's copy loop then
/// wakes, and writes to the registry, once per piece instead of once per TLS record or HTTP/2 frame that arrived.
/// </summary>
internal sealed class CoalescingReadStream(PipeReader reader, int minimum) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    // Kestrel refuses synchronous body reads too (AllowSynchronousIO is off); YARP reads asynchronously.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("A request body is read asynchronously.");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            // A zero-byte read waits for data without taking any (YARP's copy loop rents its buffer only then).
            var ready = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            reader.AdvanceTo(ready.Buffer.Start);
            return 0;
        }

        while (true)
        {
            var result = await reader.ReadAtLeastAsync(Math.Min(buffer.Length, minimum), cancellationToken).ConfigureAwait(false);
            var available = result.Buffer;
            if (available.IsEmpty)
            {
                reader.AdvanceTo(available.End);
                if (result.IsCompleted)
                {
                    return 0; // the end of the body
                }

                if (result.IsCanceled)
                {
                    throw new OperationCanceledException("The request body read was canceled.");
                }

                continue;
            }

            var count = (int)Math.Min(available.Length, buffer.Length);
            available.Slice(0, count).CopyTo(buffer.Span);
            reader.AdvanceTo(available.GetPosition(count));
            return count;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
