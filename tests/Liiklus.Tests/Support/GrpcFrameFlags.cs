namespace Liiklus.Tests.Support;

/// <summary>
/// Passes a gRPC response body through unchanged while reading its framing (1 byte compressed flag, 4 bytes length,
/// then the message) and noting each message's flag.
/// </summary>
public sealed class GrpcFrameFlags(Stream inner, System.Collections.Concurrent.ConcurrentQueue<bool> flags) : Stream
{
    private int _headerRead;
    private long _length;
    private long _payloadLeft;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Observe(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Observe(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Observe(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (_payloadLeft > 0)
            {
                _payloadLeft--;
                continue;
            }

            if (_headerRead == 0)
            {
                flags.Enqueue(b == 1);
                _length = 0;
            }
            else
            {
                _length = (_length << 8) | b;
            }

            if (++_headerRead == 5)
            {
                _headerRead = 0;
                _payloadLeft = _length;
            }
        }

        return bytes.Length;
    }
}
