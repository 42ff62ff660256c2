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
/// registration, a serialization context, and two reservations of the body's buffer (one for the frame's prefix, one for
/// the message), each taking the HTTP/2 stream's lock. A Receive stream writes one reply per record, so that was paid per
/// record. What grpc-dotnet must do itself goes to <paramref name="inner"/>: the first reply (it sends the response
/// headers), a reply large enough to be compressed (<paramref name="framedBelowBytes"/>), and one above the call's send
/// limit (it fails the call with RESOURCE_EXHAUSTED).
/// </summary>
/// <param name="inner">grpc-dotnet's response stream, perhaps with the gateway's compression choice</param>
/// <param name="body">the call's response body, the pipe grpc-dotnet writes its frames to</param>
/// <param name="framedBelowBytes">replies of this size or more go through <paramref name="inner"/></param>
public sealed class FramedReplyWriter(IServerStreamWriter<ReceiveReply> inner, PipeWriter body, int framedBelowBytes) : IServerStreamWriter<ReceiveReply>
{
    private const int PrefixBytes = 5;

    private bool _headersSent;

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(ReceiveReply message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(ReceiveReply message, CancellationToken cancellationToken)
    {
        var size = _headersSent ? message.CalculateSize() : int.MaxValue;
        if (size >= framedBelowBytes)
        {
            _headersSent = true;
            inner.WriteOptions = WriteOptions;
            return inner.WriteAsync(message, cancellationToken);
        }

        var frame = body.GetSpan(PrefixBytes + size);
        frame[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(frame[1..], (uint)size);
        message.WriteTo(frame.Slice(PrefixBytes, size));
        body.Advance(PrefixBytes + size);
        if (WriteOptions is { Flags: var flags } && (flags & WriteFlags.BufferHint) != 0)
        {
            return Task.CompletedTask;
        }

        var flushing = body.FlushAsync(cancellationToken);
        return flushing.IsCompletedSuccessfully ? Task.CompletedTask : flushing.AsTask();
    }
}
