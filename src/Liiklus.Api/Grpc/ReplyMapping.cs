using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Liiklus.Api.Events;
using Liiklus.Protocol;
using Liiklus.Storage.Records;

namespace Liiklus.Api.Grpc;

/// <summary>Records to replies in the format a Receive call asked for (the contract's CloudEvents rules).</summary>
public static class ReplyMapping
{
    /// <summary>
    /// The reply for <paramref name="record"/>: a record reply is written into <paramref name="reusable"/> (see
    /// <see cref="NewReusable"/>), which it answers; an event in the LIIKLUS_EVENT format gets a reply of its own.
    /// </summary>
    public static ReceiveReply ToReply(StoredRecord record, bool replay, ReceiveRequest.Types.ContentFormat format, ReceiveReply reusable)
    {
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
                    Replay = replay,
                },
            };
        }

        var reply = reusable.Record;
        reply.Offset = (ulong)record.Offset;
        reply.Key = Bytes(record.Key);
        // Old BINARY clients still get every attribute of an event: as CloudEvents structured JSON.
        reply.Value = cloudEvent is null ? Bytes(record.Value) : UnsafeByteOperations.UnsafeWrap(StructuredJson.Serialize(cloudEvent));
        SetTimestamp(reply.Timestamp, record.Timestamp);
        reply.Replay = replay;
        return reusable;
    }

    /// <summary>
    /// A record reply to fill again and again: a call serializes a reply as it writes it, so once a write completed its
    /// reply is free for the next record, and a Receive stream needs no new reply objects per record.
    /// </summary>
    public static ReceiveReply NewReusable() => new() { Record = new ReceiveReply.Types.Record { Timestamp = new Timestamp() } };

    /// <summary>Lets go of the payload a reusable reply last carried (its write has completed).</summary>
    public static void Forget(ReceiveReply reusable)
    {
        reusable.Record.Key = ByteString.Empty;
        reusable.Record.Value = ByteString.Empty;
    }

    // What Timestamp.FromDateTimeOffset computes, into an existing Timestamp: whole seconds since the epoch (rounded
    // down, also before 1970) and the nanoseconds past them.
    private static void SetTimestamp(Timestamp timestamp, DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }

        timestamp.Seconds = seconds;
        timestamp.Nanos = (int)(remainder * TimeSpan.NanosecondsPerTick);
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
