using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Liiklus.Actors.Receiving;
using Liiklus.Api.Events;
using Liiklus.Protocol;
using Liiklus.Storage.Records;

namespace Liiklus.Api.Grpc;

/// <summary>Records to replies in the format a Receive call asked for (the contract's CloudEvents rules).</summary>
public static class ReplyMapping
{
    public static ReceiveReply ToReply(ReceivedRecord received, ReceiveRequest.Types.ContentFormat format)
    {
        var record = received.Record;
        var cloudEvent = CloudEvent.FromRecord(record);
        if (format == ReceiveRequest.Types.ContentFormat.LiiklusEvent && cloudEvent is not null)
        {
            return new ReceiveReply
            {
                LiiklusEventRecord = new ReceiveReply.Types.LiiklusEventRecord
                {
                    Offset = (ulong)record.Offset,
                    Key = Bytes(record.Key),
                    Event = ToLiiklusEvent(cloudEvent),
                    Timestamp = Timestamp.FromDateTimeOffset(record.Timestamp),
                    Replay = received.Replay,
                },
            };
        }

        return new ReceiveReply
        {
            Record = new ReceiveReply.Types.Record
            {
                Offset = (ulong)record.Offset,
                Key = Bytes(record.Key),
                // Old BINARY clients still get every attribute of an event: as CloudEvents structured JSON.
                Value = cloudEvent is null ? Bytes(record.Value) : UnsafeByteOperations.UnsafeWrap(StructuredJson.Serialize(cloudEvent)),
                Timestamp = Timestamp.FromDateTimeOffset(record.Timestamp),
                Replay = received.Replay,
            },
        };
    }

    /// <summary>-1 (no record) is 18446744073709551615 on the wire of a uint64 map, as in Liiklus.</summary>
    public static ulong EndOffset(long offset) => unchecked((ulong)offset);

    private static LiiklusEvent ToLiiklusEvent(CloudEvent cloudEvent)
    {
        var liiklusEvent = new LiiklusEvent
        {
            Id = cloudEvent.Id,
            Type = cloudEvent.Type,
            Source = cloudEvent.Source,
            Time = cloudEvent.Time ?? "",
            DataContentType = cloudEvent.DataContentType ?? "",
            Data = Bytes(cloudEvent.Data),
        };
        foreach (var (name, value) in cloudEvent.Extensions)
        {
            liiklusEvent.Extensions[name] = value;
        }

        return liiklusEvent;
    }

    // Stored records are never mutated, so replies may share their bytes instead of copying them.
    private static ByteString Bytes(byte[]? bytes) =>
        bytes is null || bytes.Length == 0 ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(bytes);
}
