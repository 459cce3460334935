namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>A read-only stream of <see cref="Length"/> random bytes, generated on the fly (nothing held in memory).</summary>
internal sealed class RandomDataStream(long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true; // lets TarWriter read Length/Position; the content is random anyway

    public override bool CanWrite => false;

    public override long Length { get; } = length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, Length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, Length - _position);
        Random.Shared.NextBytes(buffer[..count]);
        _position += count;
        return count;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => Length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
