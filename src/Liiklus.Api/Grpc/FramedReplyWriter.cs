using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;
using Grpc.Core;
using Liiklus.Protocol;

namespace Liiklus.Api.Grpc;

/// <summary>
/// A Receive call's response stream that writes each uncompressed reply as a gRPC frame (a compression flag, a
/// big-endian length and the message) straight into the call's response body, as grpc-dotnet's own writer does, but
/// without what that writer pays per message to serve every kind of call: an async state machine, a cancellation
/// registration, a serialization context, and two reservations of the body's buffer, each taking the HTTP/2 stream's
/// lock. A Receive stream writes one reply per record, so that was paid per record; here hinted replies share one
/// reservation of the body's buffer until a flush or a reply that does not fit. What grpc-dotnet must do itself goes to
/// <paramref name="inner"/>: the first reply (it sends the response headers), a reply large enough to be compressed
/// (<paramref name="framedBelowBytes"/>), and one above the call's send limit (it fails the call with RESOURCE_EXHAUSTED).
/// The call's other writes to the body (see <see cref="FlushAsync"/>) must come through here, after what is reserved.
/// </summary>
/// <param name="inner">grpc-dotnet's response stream, perhaps with the gateway's compression choice</param>
/// <param name="body">the call's response body, the pipe grpc-dotnet writes its frames to</param>
/// <param name="framedBelowBytes">replies of this size or more go through <paramref name="inner"/></param>
public sealed class FramedReplyWriter(IServerStreamWriter<ReceiveReply> inner, PipeWriter body, int framedBelowBytes)
    : IServerStreamWriter<ReceiveReply>, IFlushingStreamWriter
{
    private const int PrefixBytes = 5;

    private bool _headersSent;
    private Memory<byte> _reserved;
    private int _used;

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(ReceiveReply message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(ReceiveReply message, CancellationToken cancellationToken)
    {
        var size = _headersSent ? message.CalculateSize() : int.MaxValue;
        if (size >= framedBelowBytes)
        {
            Commit();
            _headersSent = true;
            inner.WriteOptions = WriteOptions;
            return inner.WriteAsync(message, cancellationToken);
        }

        var frameBytes = PrefixBytes + size;
        if (_reserved.Length - _used < frameBytes)
        {
            Commit();
            _reserved = body.GetMemory(frameBytes);
        }

        var frame = _reserved.Span.Slice(_used, frameBytes);
        frame[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(frame[1..], (uint)size);
        message.WriteTo(frame[PrefixBytes..]);
        _used += frameBytes;
        return WriteOptions is { Flags: var flags } && (flags & WriteFlags.BufferHint) != 0
            ? Task.CompletedTask
            : FlushAsync(cancellationToken);
    }

    public Task FlushAsync(CancellationToken cancellationToken)
    {
        Commit();
        var flushing = body.FlushAsync(cancellationToken);
        return flushing.IsCompletedSuccessfully ? Task.CompletedTask : flushing.AsTask();
    }

    private void Commit()
    {
        if (_used > 0)
        {
            body.Advance(_used);
        }

        _used = 0;
        _reserved = Memory<byte>.Empty;
    }
}
