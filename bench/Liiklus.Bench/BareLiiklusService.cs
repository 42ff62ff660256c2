using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Memory;

namespace Liiklus.Bench;

/// <summary>
/// The baseline: the same protocol served by grpc-dotnet with no gateway behind it. Publish does the storage work a
/// publish cannot do without — the record's key and value copied out of the request and appended to an in-memory
/// partition log like the gateway's — and answers with where it went; Receive streams
/// <c>last_known_offset</c> pre-built 100-byte records with batched (hinted) writes — the best a bare server-streaming
/// service does on this machine.
/// </summary>
public sealed class BareLiiklusService(InMemoryRecordsStorage records) : LiiklusService.LiiklusServiceBase
{
    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);
    // Flushing every 64 hinted writes was the fastest setting measured here (against 16 to 1024).
    private const ulong FlushEvery = 64;
    private static readonly ByteString Value = ByteString.CopyFrom(new byte[Workload.RecordSize]);
    private static readonly ByteString Key = ByteString.CopyFromUtf8("key");


    /// <summary>The storage a bare service appends to: the gateway's in-memory storage as the bench configures it.</summary>
    public static InMemoryRecordsStorage NewStorage() =>
        new(new InMemoryRecordsOptions(RetentionPerPartition: BenchHosts.RetentionPerPartition));

    public override async Task<PublishReply> Publish(PublishRequest request, ServerCallContext context)
    {
#pragma warning disable CS0612 // the benchmarks publish raw values and events both
        var value = request.EventCase == PublishRequest.EventOneofCase.LiiklusEvent ? request.LiiklusEvent.Data : request.Value;
#pragma warning restore CS0612
        var record = new OutgoingRecord(request.Key.IsEmpty ? null : request.Key.ToByteArray(), value.ToByteArray(), [], DateTimeOffset.UtcNow);
        var published = await records.PublishAsync(request.Topic, record, context.CancellationToken);
        return new PublishReply { Topic = request.Topic, Partition = (uint)published.Partition, Offset = (ulong)published.Offset };
    }

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
