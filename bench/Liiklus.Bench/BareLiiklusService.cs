using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Liiklus.Protocol;

namespace Liiklus.Bench;

/// <summary>
/// The baseline: the same protocol served by grpc-dotnet with nothing behind it. Publish echoes at once;
/// Receive streams <c>last_known_offset</c> pre-built 100-byte records with batched (hinted) writes — the best a
/// bare server-streaming service does on this machine.
/// </summary>
public sealed class BareLiiklusService : LiiklusService.LiiklusServiceBase
{
    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);
    // Flushing every 64 hinted writes was the fastest setting measured here (against 16 to 1024).
    private const ulong FlushEvery = 64;
    private static readonly ByteString Value = ByteString.CopyFrom(new byte[Workload.RecordSize]);
    private static readonly ByteString Key = ByteString.CopyFromUtf8("key");


    public override Task<PublishReply> Publish(PublishRequest request, ServerCallContext context) =>
        Task.FromResult(new PublishReply { Topic = request.Topic, Partition = 0, Offset = 0 });

    // Built once: the loop below only serializes and writes, the least a server-streaming service can do.
    private static readonly ReceiveReply[] Replies = Enumerable.Range(0, 1024).Select(offset => new ReceiveReply
    {
        Record = new ReceiveReply.Types.Record
        {
            Offset = (ulong)offset,
            Key = Key,
            Value = Value,
            Timestamp = Timestamp.FromDateTime(DateTime.UtcNow),
        },
    }).ToArray();

    public override async Task Receive(ReceiveRequest request, IServerStreamWriter<ReceiveReply> responseStream, ServerCallContext context)
    {
        var count = request.LastKnownOffset;
        for (ulong offset = 0; offset < count; offset++)
        {
            responseStream.WriteOptions = offset % FlushEvery == FlushEvery - 1 || offset == count - 1 ? null : Buffered;
            await responseStream.WriteAsync(Replies[offset % (ulong)Replies.Length], context.CancellationToken);
        }
    }
}
